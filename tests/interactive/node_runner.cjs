// Reads a JSON array of {fn, args} from stdin and writes a JSON array of results:
// {ok: true, value} or {ok: false, param, rule, message, isError}. Used by the
// differential tests: the same cases go through src/convnotes and docs/javascripts.
"use strict";
const path = require("path");
const files = process.argv.slice(2);
let api = {};
for (const file of files) api = Object.assign(api, require(path.resolve(file)));

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const cases = JSON.parse(input);
  const out = cases.map(({ fn, args }) => {
    try {
      return { ok: true, value: api[fn](args) };
    } catch (error) {
      return {
        ok: false,
        isError: error instanceof Error,
        param: error.param ?? null,
        rule: error.rule ?? null,
        message: String(error.message),
      };
    }
  });
  process.stdout.write(JSON.stringify(out));
});
