#!/usr/bin/env -S node --disable-warning=DEP0060
// Thin launcher so the published binary runs the compiled CLI. DEP0060 is http-proxy 1.18's use of
// util._extend: harmless, and not ours to fix.
import "../dist/src/cli.js";
