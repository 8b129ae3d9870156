// Audit HTML files with axe-core in headless Chromium; print one JSON line per file:
// {"file", "violations": [{"id", "impact", "nodes"}], "screenshot", "scrollWidth", "verticalScrollBars",
// "smallestMath": [the smallest glyph of math over the size of its math, that glyph and its formula]} . Usage: node audit.js OUT_DIR FILE...
const path = require("path");
const fs = require("fs");
const { chromium } = require("playwright-core");
const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

(async () => {
  const [outDir, ...files] = process.argv.slice(2);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
           "--disable-component-update", "--disable-sync"],
  });
  for (const file of files) {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });  // a phone
    const requests = [];
    page.on("request", (r) => { if (!r.url().startsWith("file:") && !r.url().startsWith("data:")) requests.push(r.url()); });
    await page.goto("file://" + path.resolve(file));
    await page.evaluate(axeSource);  // as the test tool, past the page's policy, which admits no script but its own
    const result = await page.evaluate(async () => await axe.run(document, { resultTypes: ["violations"] }));
    const shot = path.join(outDir, path.basename(file, ".html") + ".png");
    await page.screenshot({ path: shot, fullPage: false });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    // elements that show a vertical scroll bar: content taller than the box, where overflow is not visible
    const tall = await page.evaluate(() => [...document.querySelectorAll("body *")].filter((e) => {
      const y = getComputedStyle(e).overflowY;
      return (y === "auto" || y === "scroll") && e.scrollHeight > e.clientHeight;
    }).map((e) => e.className || e.tagName));
    // the smallest glyph of math beside its formula's own size, as Chromium lays the MathML out
    const smallest = await page.evaluate(() => {
      let worst = [Infinity, "", ""];
      for (const math of document.querySelectorAll("math")) {
        const size = parseFloat(getComputedStyle(math).fontSize);
        for (const leaf of math.querySelectorAll("mi, mn, mo, mtext, ms")) {
          if (!leaf.textContent.trim()) continue;
          const share = parseFloat(getComputedStyle(leaf).fontSize) / size;
          if (share < worst[0]) worst = [share, leaf.textContent, math.textContent.slice(0, 80)];
        }
      }
      return worst;
    });
    console.log(JSON.stringify({
      file, screenshot: shot, requests, scrollWidth: width, verticalScrollBars: tall, smallestMath: smallest,
      violations: result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length })),
    }));
    await page.close();
  }
  await browser.close();
})().catch((e) => { console.error(e); process.exit(1); });
