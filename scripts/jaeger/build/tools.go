//go:build tools

// Package build only pins the Jaeger v2 main package so `go mod tidy` records its dependencies.
package build

import _ "github.com/jaegertracing/jaeger/cmd/jaeger"
