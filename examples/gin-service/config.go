package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/url"
	"os"
	"strings"
	"time"
)

// envPrefix names every flag's environment variable: --kafka-timeout is GIN_SERVICE_KAFKA_TIMEOUT.
// A flag on the command line wins over its variable, the variable over the default.
const envPrefix = "GIN_SERVICE_"

// config is everything the service reads at start; docs/gin-service.md lists it flag by flag.
type config struct {
	Listen          string
	Advertise       string
	MetricsListen   string
	EtcdEndpoints   []string
	Prefix          string
	TTL             time.Duration
	Weight          int
	KafkaBrokers    []string
	Topic           string
	TopicPartitions int
	KafkaTimeout    time.Duration
	OTLPEndpoint    string
	ServiceName     string
	Version         string
	InstanceID      string
	DBPath          string
	ErrorRate       float64
	Latency         time.Duration
	ShutdownDelay   time.Duration
	DrainTimeout    time.Duration
	LogLevel        string
}

// usageError is a bad flag, variable or value: main prints it on one line and exits 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// errHelp asks main to print the flag list and exit 0.
var errHelp = errors.New("help requested")

// rawFlags are the values as typed, before validation turns them into a config.
type rawFlags struct {
	etcd, kafka string
	ttl         time.Duration
}

func defineFlags(fs *flag.FlagSet, c *config, raw *rawFlags) {
	fs.StringVar(&c.Listen, "listen", "127.0.0.1:8080", "HTTP listen address (port 0 picks a free port)")
	fs.StringVar(&c.Advertise, "advertise", "", "host:port registered in etcd (default: the bound listen address)")
	fs.StringVar(&c.MetricsListen, "metrics-listen", "", "separate listener for /metrics (default: the API listener)")
	fs.StringVar(&raw.etcd, "etcd", "http://127.0.0.1:2379", "comma-separated etcd endpoints; empty disables registration")
	fs.StringVar(&c.Prefix, "prefix", "/services/api/", "etcd key prefix; the key is <prefix><advertise>")
	fs.DurationVar(&raw.ttl, "ttl", 10*time.Second, "etcd lease TTL (whole seconds)")
	fs.IntVar(&c.Weight, "weight", 1, "weight published in the registration metadata")
	fs.StringVar(&raw.kafka, "kafka", "127.0.0.1:9092", "comma-separated Kafka bootstrap brokers; empty disables publishing")
	fs.StringVar(&c.Topic, "topic", "orders", "Kafka topic for accepted orders")
	fs.IntVar(&c.TopicPartitions, "topic-partitions", 3, "partitions when the service creates the topic")
	fs.DurationVar(&c.KafkaTimeout, "kafka-timeout", 2*time.Second, "how long POST /orders waits for the broker's ack")
	fs.StringVar(&c.OTLPEndpoint, "otlp", "", "OTLP/HTTP traces endpoint, e.g. http://127.0.0.1:4318; empty exports nothing")
	fs.StringVar(&c.ServiceName, "service-name", "gin-service", "service.name of spans, logs and metrics")
	fs.StringVar(&c.Version, "version", "1.0.0", "service.version; also registered in etcd metadata")
	fs.StringVar(&c.InstanceID, "instance-id", "", "service.instance.id (default: a random UUID per start)")
	fs.StringVar(&c.DBPath, "db", "", "SQLite file (default: a temporary file removed at exit)")
	fs.Float64Var(&c.ErrorRate, "error-rate", 0, "share of API requests answered 500 on purpose, 0..1 (demo fault)")
	fs.DurationVar(&c.Latency, "latency", 0, "delay added to every API request (demo fault)")
	fs.DurationVar(&c.ShutdownDelay, "shutdown-delay", time.Second, "on SIGTERM, time between deregistering and closing the listener")
	fs.DurationVar(&c.DrainTimeout, "drain-timeout", 15*time.Second, "on SIGTERM, how long in-flight requests may take to finish")
	fs.StringVar(&c.LogLevel, "log-level", "info", "debug, info, warn or error")
}

// envName is the variable that sets a flag.
func envName(flagName string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// parseConfig reads the environment, then args; every problem is a usageError naming the flag or variable.
func parseConfig(args []string, getenv func(string) string) (*config, error) {
	c := &config{}
	raw := &rawFlags{}
	fs := flag.NewFlagSet("gin-service", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	defineFlags(fs, c, raw)
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		if v := getenv(envName(f.Name)); v != "" && envErr == nil {
			if err := f.Value.Set(v); err != nil {
				envErr = usagef("%s=%q: want %s", envName(f.Name), v, valueKind(f))
			}
		}
	})
	if envErr != nil {
		return nil, envErr
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, errHelp
		}
		return nil, usagef("%v", err)
	}
	if fs.NArg() > 0 {
		return nil, usagef("unexpected argument %q (all settings are --flags)", fs.Arg(0))
	}
	c.EtcdEndpoints = splitList(raw.etcd)
	c.KafkaBrokers = splitList(raw.kafka)
	c.TTL = raw.ttl
	return c, c.validate()
}

// valueKind names what a flag's value must look like, for errors about its variable.
func valueKind(f *flag.Flag) string {
	getter, _ := f.Value.(flag.Getter)
	if getter == nil {
		return "a valid value"
	}
	switch getter.Get().(type) {
	case time.Duration:
		return "a duration such as 10s or 250ms"
	case int:
		return "an integer"
	case float64:
		return "a number"
	default:
		return "a valid value"
	}
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func (c *config) validate() error {
	checks := []func() error{c.checkAddresses, c.checkEtcd, c.checkKafka, c.checkFaults, c.checkMisc}
	for _, check := range checks {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

func (c *config) checkAddresses() error {
	if err := checkHostPort("--listen", c.Listen, true); err != nil {
		return err
	}
	if c.Advertise != "" {
		if err := checkHostPort("--advertise", c.Advertise, false); err != nil {
			return err
		}
	}
	if c.MetricsListen != "" {
		return checkHostPort("--metrics-listen", c.MetricsListen, true)
	}
	return nil
}

func checkHostPort(name, value string, portZeroOK bool) error {
	_, port, err := net.SplitHostPort(value)
	if err != nil {
		return usagef("%s %q: want host:port (%v)", name, value, err)
	}
	if port == "0" && !portZeroOK {
		return usagef("%s %q: port 0 cannot be advertised", name, value)
	}
	if _, err := net.LookupPort("tcp", port); err != nil {
		return usagef("%s %q: bad port %q", name, value, port)
	}
	return nil
}

func (c *config) checkEtcd() error {
	for _, e := range c.EtcdEndpoints {
		if u, err := url.Parse(e); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usagef("--etcd %q: want http://host:port (comma-separated for several)", e)
		}
	}
	if !strings.HasPrefix(c.Prefix, "/") || !strings.HasSuffix(c.Prefix, "/") || len(c.Prefix) < 2 {
		return usagef("--prefix %q: must start and end with / (e.g. /services/api/)", c.Prefix)
	}
	if c.TTL < time.Second || c.TTL%time.Second != 0 || c.TTL > 24*time.Hour {
		return usagef("--ttl %v: must be whole seconds between 1s and 24h (etcd leases count seconds)", c.TTL)
	}
	if c.Weight < 1 || c.Weight > 1000 {
		return usagef("--weight %d: must be between 1 and 1000", c.Weight)
	}
	return nil
}

func (c *config) checkKafka() error {
	for _, b := range c.KafkaBrokers {
		if _, _, err := net.SplitHostPort(b); err != nil {
			return usagef("--kafka %q: want host:port (comma-separated for several)", b)
		}
	}
	if c.Topic == "" || len(c.Topic) > 249 || strings.Trim(c.Topic, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != "" {
		return usagef("--topic %q: Kafka topic names are 1-249 characters of [a-zA-Z0-9._-]", c.Topic)
	}
	if c.TopicPartitions < 1 || c.TopicPartitions > 1000 {
		return usagef("--topic-partitions %d: must be between 1 and 1000", c.TopicPartitions)
	}
	if c.KafkaTimeout <= 0 {
		return usagef("--kafka-timeout %v: must be positive", c.KafkaTimeout)
	}
	return nil
}

func (c *config) checkFaults() error {
	if math.IsNaN(c.ErrorRate) || c.ErrorRate < 0 || c.ErrorRate > 1 {
		return usagef("--error-rate %v: must be between 0 and 1", c.ErrorRate)
	}
	if c.Latency < 0 || c.Latency > maxInjectedLatency {
		return usagef("--latency %v: must be between 0 and %v", c.Latency, maxInjectedLatency)
	}
	return nil
}

func (c *config) checkMisc() error {
	if c.OTLPEndpoint != "" {
		if u, err := url.Parse(c.OTLPEndpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usagef("--otlp %q: want an http(s) URL such as http://127.0.0.1:4318", c.OTLPEndpoint)
		}
	}
	if strings.TrimSpace(c.ServiceName) == "" {
		return usagef("--service-name: must not be empty")
	}
	if strings.TrimSpace(c.Version) == "" {
		return usagef("--version: must not be empty")
	}
	if c.ShutdownDelay < 0 || c.DrainTimeout <= 0 {
		return usagef("--shutdown-delay must be >= 0 and --drain-timeout > 0 (got %v, %v)", c.ShutdownDelay, c.DrainTimeout)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
		return nil
	}
	return usagef("--log-level %q: want debug, info, warn or error", c.LogLevel)
}

// printUsage lists every flag with its variable and default, for --help.
func printUsage(w io.Writer) {
	fs := flag.NewFlagSet("gin-service", flag.ContinueOnError)
	defineFlags(fs, &config{}, &rawFlags{})
	fmt.Fprintln(w, "usage: gin-service [--flag value ...]   (every flag also reads GIN_SERVICE_<FLAG>)")
	fs.VisitAll(func(f *flag.Flag) {
		fmt.Fprintf(w, "  --%-17s %s (env %s, default %q)\n", f.Name, f.Usage, envName(f.Name), f.DefValue)
	})
}

// osGetenv is the real environment; tests of parseConfig pass their own.
var osGetenv = os.Getenv
