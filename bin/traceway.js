#!/usr/bin/env node
// Thin launcher so the published binary runs the compiled CLI.
import "../dist/src/cli.js";
