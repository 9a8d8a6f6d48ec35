import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { DockerfileParser } from "dockerfile-ast";
import { REPO_ROOT } from "../../helpers/services.ts";

// No Docker engine to build them: the Dockerfiles are parsed (dockerfile-ast, the parser of VS Code's
// Dockerfile support) and held to what the images must be.
const DOCKERFILES = [
  { file: "Dockerfile", context: "." },
  { file: "examples/gin-service/Dockerfile", context: "examples/gin-service" },
  { file: "examples/kafka-worker/Dockerfile", context: "." },
];

async function parseFile(file: string) {
  return DockerfileParser.parse(await readFile(join(REPO_ROOT, file), "utf8"));
}

describe("Dockerfiles", () => {
  for (const { file, context } of DOCKERFILES) {
    it(`${file}: multi-stage, pinned bases, a non-root user and a health check in the runtime stage`, async () => {
      const dockerfile = await parseFile(file);
      const froms = dockerfile.getFROMs();
      assert.ok(froms.length >= 2, "a build stage and a runtime stage");
      for (const from of froms) {
        assert.match(
          from.getImageTag() ?? "",
          /^v?\d+(\.\d+)+/,
          `${from.getImageName()} pinned to a version, not ${from.getImageTag()}`,
        );
      }
      const runtimeStart = froms.at(-1)?.getRange().start.line ?? 0;
      const runtime = dockerfile.getInstructions().filter((i) => i.getRange().start.line >= runtimeStart);
      const users = runtime.filter((i) => i.getKeyword() === "USER").map((i) => i.getArgumentsContent());
      assert.equal(users.length, 1, "one USER in the runtime stage");
      assert.doesNotMatch(users[0] ?? "", /^(root|0)(:|$)/, "not root");
      assert.equal(runtime.filter((i) => i.getKeyword() === "HEALTHCHECK").length, 1, "a HEALTHCHECK");
      assert.ok(runtime.some((i) => i.getKeyword() === "ENTRYPOINT" || i.getKeyword() === "CMD"));
      // Every COPY from the build context names something that exists in it.
      for (const copy of dockerfile.getCOPYs().filter((c) => c.getFromFlag() === null)) {
        const args = copy.getArguments().map((a) => a.getValue());
        for (const source of args.slice(0, -1)) {
          const path = join(REPO_ROOT, context, source.replace("*.go", "main.go"));
          assert.ok(existsSync(path), `${file}: COPY ${source} (${dirname(path)})`);
        }
      }
    });
  }

  it("traceway's runtime stage holds no dev dependencies and no TypeScript sources", async () => {
    const dockerfile = await parseFile("Dockerfile");
    const text = dockerfile
      .getInstructions()
      .map((i) => `${i.getKeyword()} ${i.getArgumentsContent()}`)
      .join("\n");
    assert.match(text, /npm prune --omit=dev/);
    const runtimeStart = dockerfile.getFROMs().at(-1)?.getRange().start.line ?? 0;
    const copied = dockerfile
      .getCOPYs()
      .filter((c) => c.getRange().start.line > runtimeStart)
      .flatMap((c) =>
        c
          .getArguments()
          .slice(0, -1)
          .map((a) => a.getValue()),
      );
    assert.deepEqual(
      copied.filter((c) => /(^|\/)(src|interceptors)$/.test(c)),
      [],
    );
  });
});
