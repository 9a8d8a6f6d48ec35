// @ts-check
import { readdirSync } from "node:fs";
import { join } from "node:path";
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/**
 * The chain data flows along, bottom first: a module may import from its own layer and the layers
 * before it, never from one after it. Names are src/ folders, or src/ root files without `.ts`.
 *
 *   shared, errors  the clock, random source and coded errors everything uses
 *   config          the validated configuration
 *   discovery       providers that report each upstream's backend set
 *   pool            backends, candidates, operator overrides
 *   health          active checks and passive ejection; only set status on the pool
 *   strategies      pick one of the candidates they are given
 *   upstream        assembles pool, health, strategy, retry policy and queue per upstream;
 *                   the canary split and the control commands that change pools and splits
 *   canary          canary runs: interval analysis, step decisions, state stores; drive the split
 *   proxy           forwards requests: selector, attempt loop, relay, transports, WebSockets
 *   server          listens, routes, drains, and composes the layers below
 *   admin           the admin listener: the /api/v1 JSON API and event stream over a running balancer
 *   kafka           the other entry into the data path: bridges dispatching messages through the
 *                   server's upstreams, and the lag exporter
 *   telemetry       observes the proxy (metrics, spans, logs) through its observer interface
 *   run, workers    process wiring: telemetry + balancer + signals; a multi-worker instance's
 *                   primary and workers (the two call each other: a worker runs run's balancer,
 *                   `traceway --config` starts a primary)
 *   demo            the embedded demo
 *   load            `traceway load`, the load generator; a command beside the balancer, not part of it
 *   cli, index      the command line and the library's public API
 *
 * `interceptors/` stands outside the chain: it never imports src/, and src/ reaches it only
 * through interceptors/balancer-entry.ts.
 */
const CHAIN = [
  ["shared", "errors"],
  ["config"],
  ["discovery"],
  ["pool"],
  ["health"],
  ["strategies"],
  ["upstream"],
  ["canary"],
  ["proxy"],
  ["server"],
  ["admin"],
  ["kafka"],
  ["telemetry"],
  ["run", "workers"],
  ["demo"],
  ["load"],
  ["cli", "index"],
];

// A new src/ folder must be placed in the chain before it can be linted.
for (const entry of readdirSync(join(import.meta.dirname, "src"), { withFileTypes: true })) {
  const name = entry.isDirectory() ? entry.name : entry.name.replace(/\.ts$/, "");
  if (!CHAIN.some((layer) => layer.includes(name)))
    throw new Error(`eslint.config.js: src/${entry.name} has no place in CHAIN; add it where it belongs`);
}

const STATUS_PAGE_CLIENT = "src/admin/status-page/client/**/*.js";

/** src/ may use interceptors/ only through its one internal entry. */
const INTERCEPTORS_ENTRY_ONLY = {
  regex: "^(\\.\\./)+interceptors/(?!balancer-entry\\.ts$)",
  message: "src/ reaches interceptors/ only through interceptors/balancer-entry.ts.",
};

/**
 * Two config blocks per layer: its folders' files and its root files, each with the layers after it
 * as forbidden import targets. `./name` is another layer only from a root file (src/cli.ts →
 * ./load/command.ts); inside a folder it is a sibling file (src/config/check-config.ts → ./load.ts).
 */
const importBoundaries = CHAIN.flatMap((layer, i) => {
  const later = CHAIN.slice(i + 1).flat();
  const rule = (/** @type {string} */ prefix) => {
    const patterns = [INTERCEPTORS_ENTRY_ONLY];
    if (later.length > 0) {
      patterns.push({
        regex: `^${prefix}(${later.join("|")})(/|\\.ts$)`,
        message: `${layer.join("/")} sits below ${later.join(", ")} in the chain (see CHAIN in eslint.config.js): data flows one way, so it must not import from them.`,
      });
    }
    return { "no-restricted-imports": ["error", { patterns }] };
  };
  return [
    { files: layer.map((name) => `src/${name}/**/*.ts`), rules: rule("(\\.\\./)+") },
    { files: layer.map((name) => `src/${name}.ts`), rules: rule("(\\./|(\\.\\./)+)") },
  ];
});

export default tseslint.config(
  {
    ignores: [
      "dist/**",
      "node_modules/**",
      ".cache/**",
      ".services/**",
      "bin/**",
      // Deliberately bad imports that test/unit/lint/import-boundaries.test.ts lints.
      "test/fixtures/import-boundaries/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": [
        "error",
        {
          allowForKnownSafeCalls: [
            {
              from: "package",
              package: "node:test",
              name: ["test", "it", "describe", "suite", "before", "after"],
            },
          ],
        },
      ],
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { arguments: false } }],
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  ...importBoundaries,
  {
    files: ["interceptors/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^((\\.\\./)+src/|traceway($|/))",
              message:
                "interceptors/ stands alone (it is published as traceway/interceptors): no import from src/.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["**/*.js"],
    ...tseslint.configs.disableTypeChecked,
  },
  // The status page's browser code is JavaScript typed with JSDoc and checked by its own tsconfig
  // (DOM library): it gets the type-aware rules back, and tsc, not no-undef, knows browser globals.
  ...tseslint.configs.recommendedTypeChecked.map((config) => ({ ...config, files: [STATUS_PAGE_CLIENT] })),
  {
    files: [STATUS_PAGE_CLIENT],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "no-undef": "off",
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
);
