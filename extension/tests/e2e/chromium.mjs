// The core flow in headless Chromium; prints the flow's result as one JSON line.
import { launchChromium } from './chromium-driver.mjs';
import { settingsFromEnv, runScript } from './env.mjs';
import { runFlow } from './flow.mjs';

const settings = settingsFromEnv();
const driver = await launchChromium();
await runScript(async () => {
  const result = await runFlow(driver, settings);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}, driver);
