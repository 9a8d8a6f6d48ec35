// Command gin-service is the example service the traceway system is built around: a Gin HTTP API that
// registers itself in etcd, stores orders in SQLite, sends them to Kafka with the trace context in
// the headers, and reports traces (OTLP), Prometheus metrics and JSON logs. docs/gin-service.md is
// its contract.
package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/google/uuid"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

// run returns the exit code: 0 after a clean shutdown, 1 when start-up or the drain failed, 2 for
// bad flags or variables.
func run(args []string) int {
	c, err := parseConfig(args, osGetenv)
	if errors.Is(err, errHelp) {
		printUsage(os.Stdout)
		return 0
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "gin-service: %v (see --help)\n", err)
		return 2
	}
	instanceID := c.InstanceID
	if instanceID == "" {
		instanceID = uuid.NewString()
	}
	log := newLogger(os.Stdout, c.LogLevel, c, instanceID)
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)

	a, err := startApp(c, instanceID, log)
	if err != nil {
		log.Error("start failed", slog.String("error_message", err.Error()))
		return 1
	}
	sig := <-signals
	go func() {
		// A second signal means "now": skip the rest of the graceful shutdown.
		second := <-signals
		log.Error("second signal during shutdown; exiting at once", slog.String("signal", second.String()))
		os.Exit(1)
	}()
	return a.shutdown(sig)
}
