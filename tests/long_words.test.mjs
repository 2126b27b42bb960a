// Names and texts come from people, and a long unbroken word (a pasted
// address, a Latin name) must wrap rather than widen the page: at 390 px,
// with a 60-character word in the village's, a household's and a product's
// name and story, the product, village and household pages scroll only
// up and down, in both languages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServerAndBrowser, phonePage, getJson } from './support/harness.mjs';
import { sql } from './support/db.mjs';

const WORD = 'Supercalifragilisticexpialidocious'.padEnd(60, 'x');
const app = useServerAndBrowser();

test('a 60-character word wraps on the product, village and household pages', async () => {
  const liu = await getJson(`${app.server.url}/api/villages/liu`);
  const product = liu.products[0].id;
  const household = liu.households[0].id;
  const story = `story_zh = story_zh || ' ${WORD}', story_en = story_en || ' ${WORD}'`;
  sql(app.server, `UPDATE village SET name_zh = ?, name_en = ?, ${story} WHERE slug = 'liu'`, [`${WORD}村`, WORD]);
  sql(app.server, `UPDATE household SET name_zh = ?, name_en = ?, ${story} WHERE id = ?`, [`${WORD}家`, WORD, household]);
  sql(app.server, 'UPDATE product SET name_zh = ?, name_en = ? WHERE id = ?', [`${WORD}鸡蛋`, WORD, product]);
  const seen = await getJson(`${app.server.url}/api/products/${product}`);
  assert.match(JSON.stringify(seen), new RegExp(WORD), 'the long name is served');

  for (const locale of ['zh-CN', 'en-US']) {
    const { page, context, errors } = await phonePage(app.browser, { locale, baseURL: app.server.url });
    for (const path of [`/p/${product}`, '/v/liu', `/v/liu/h/${household}`]) {
      await page.goto(path);
      await page.getByText(WORD).first().waitFor();
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 390, `${locale} ${path}: the page is ${width} px wide on a 390 px screen`);
    }
    assert.deepEqual(errors, []);
    await context.close();
  }
});
