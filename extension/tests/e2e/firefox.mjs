// The core flow in headless Firefox ESR; prints the flow's result as one JSON line.
import { settingsFromEnv, runScript } from './env.mjs';
import { launchFirefox } from './firefox-driver.mjs';
import { runFlow } from './flow.mjs';

const settings = settingsFromEnv();
const driver = await launchFirefox();
await runScript(async () => {
  const result = await runFlow(driver, settings);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}, driver);
