// Drive the interactive practice page in headless Chromium as a learner would, on a phone.
// Usage: node practice.js PAGE.html ANSWERS.json SHOT.png
// ANSWERS.json: {"<problem number>": {"right": "...", "wrong": "..."}} (written by the test from the
// problems' claims). For each problem: type the wrong answer, press Enter, read the verdict; type
// the right one, press Check, read it; then every slider is moved through all its rates, by the
// keyboard, and the worked solution is opened by the keyboard. Prints one JSON object.
const path = require("path");
const fs = require("fs");
const { chromium } = require("playwright-core");
const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

(async () => {
  const [file, answersFile, shot] = process.argv.slice(2);
  const answers = JSON.parse(fs.readFileSync(answersFile, "utf8"));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
           "--disable-component-update", "--disable-sync"],
  });
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  const requests = [], errors = [];
  page.on("request", (r) => { if (!r.url().startsWith("file:") && !r.url().startsWith("data:")) requests.push(r.url()); });
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  await page.goto("file://" + path.resolve(file));
  const verdicts = {};
  for (const [number, pair] of Object.entries(answers)) {
    const input = page.locator(`#answer-${number}`);
    const verdict = page.locator(`#verdict-${number}`);
    await input.fill(pair.wrong);
    await input.press("Enter");
    const wrong = { text: await verdict.textContent(), cls: await verdict.getAttribute("class") };
    await input.fill(pair.right);
    await page.locator(`form[data-problem="${number}"] button`).click();
    const right = { text: await verdict.textContent(), cls: await verdict.getAttribute("class") };
    await input.fill("sin(");
    await input.press("Enter");
    const unread = { text: await verdict.textContent(), cls: await verdict.getAttribute("class") };
    verdicts[number] = { wrong, right, unread };
  }
  const sliders = [];
  for (const fig of await page.locator("figure.descent").all()) {
    const slider = fig.locator("input[type=range]");
    await slider.focus();
    await slider.press("Home");
    const seen = [];
    const max = +(await slider.getAttribute("max"));
    for (let k = 0; k <= max; k++) {
      seen.push({
        value: await slider.inputValue(),
        behaviour: await fig.getAttribute("data-behaviour"),
        caption: await fig.locator(".what").textContent(),
        valuetext: await slider.getAttribute("aria-valuetext"),
        points: await fig.locator("polyline.path").getAttribute("points"),
        dots: await fig.locator("g.iterates circle").count(),
      });
      await slider.press("ArrowRight");
    }
    sliders.push({ problem: await fig.getAttribute("data-problem"), seen });
  }
  // the first worked solution opens from the keyboard
  const summary = page.locator("details.reveal > summary").first();
  await summary.focus();
  await summary.press("Enter");
  const opened = await page.locator("details.reveal").first().evaluate((d) => d.open);
  await page.screenshot({ path: shot, fullPage: false });
  await page.evaluate(axeSource);  // as the test tool, past the page's policy, which admits no script but its own
  const audit = await page.evaluate(async () => await axe.run(document, { resultTypes: ["violations"] }));
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  console.log(JSON.stringify({
    verdicts, sliders, opened, requests, errors, scrollWidth: width,
    violations: audit.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length })),
  }));
  await browser.close();
})().catch((e) => { console.error(e); process.exit(1); });
