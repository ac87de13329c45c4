// The core flow in headless Firefox ESR; prints the flow's result as one JSON line.
import { settingsFromEnv } from './env.mjs';
import { launchFirefox } from './firefox-driver.mjs';
import { runFlow } from './flow.mjs';

const settings = settingsFromEnv();
const driver = await launchFirefox();
let exitCode = 0;
try {
  const result = await runFlow(driver, settings);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (error) {
  console.error(error?.stack ?? error);
  exitCode = 1;
} finally {
  await driver.close();
}
process.exit(exitCode);
