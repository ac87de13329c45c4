"""Delivering a finished report: files in a directory, and email.

``deliver`` is what the daily cycle calls; each channel is its own module so a
new one (chat webhook, ...) is one more file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..reports import DailyReport
from ..settings import Config
from .email import send_report_email
from .files import report_dir, write_report_files

__all__ = ["DeliveryResult", "deliver", "report_dir", "write_report_files", "send_report_email"]


@dataclass
class DeliveryResult:
    files: list[Path] = field(default_factory=list)
    email: str = "off"  # off | sent | unchanged (same content already sent for the day)

    def line(self) -> str:
        where = ", ".join(str(p) for p in self.files) or "no files"
        return f"wrote {where}; email: {self.email}"


def deliver(store, config: Config, report: DailyReport, rendered: dict[str, str]) -> DeliveryResult:
    """Write the configured formats, then email. Raises ``DeliveryError`` when email fails.

    ``rendered`` maps "md", "html" and "text" to the report in that format.
    """
    result = DeliveryResult()
    wanted = {fmt: text for fmt, text in rendered.items() if fmt in config["reports.formats"]}
    result.files = write_report_files(report_dir(config), report.day, wanted)
    if config["email.enabled"]:
        fingerprint = report.fingerprint()
        if store.delivery_fingerprint(report.day, "daily", "email") == fingerprint:
            result.email = "unchanged"
        else:
            send_report_email(config, report, text=rendered["text"], html=rendered["html"])
            store.record_delivery(report.day, "daily", "email", fingerprint)
            result.email = "sent"
    return result
