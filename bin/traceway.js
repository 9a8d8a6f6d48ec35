#!/usr/bin/env -S node --experimental-async-context-frame --disable-warning=DEP0060
// Thin launcher so the published binary runs the compiled CLI with traceway's Node flags
// (src/run/runtime-flags.ts says why each is there).
import "../dist/src/cli.js";
