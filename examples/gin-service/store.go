package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
	_ "modernc.org/sqlite" // pure-Go SQLite: no cgo, so `go build` needs no C toolchain
)

// store keeps the catalogue and the orders in SQLite. Every statement is timed into
// db_client_operation_duration_seconds and gets a CLIENT span ("INSERT orders"), per the OpenTelemetry
// database conventions (db.system.name=sqlite, db.operation.name, db.collection.name).
type store struct {
	db     *sql.DB
	m      *metrics
	tracer trace.Tracer
}

const schema = `
CREATE TABLE IF NOT EXISTS items (
  sku TEXT PRIMARY KEY, name TEXT NOT NULL, price_cents INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS orders (
  id TEXT PRIMARY KEY, sku TEXT NOT NULL REFERENCES items(sku), quantity INTEGER NOT NULL,
  customer TEXT NOT NULL, created_at TEXT NOT NULL,
  traceparent TEXT NOT NULL DEFAULT '', tracestate TEXT NOT NULL DEFAULT '',
  published INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS orders_unpublished ON orders(published) WHERE published = 0;
CREATE INDEX IF NOT EXISTS orders_sku ON orders(sku);`

// catalogueSize items sku-001 … sku-050 exist from the start, so POST /orders has something to order.
const catalogueSize = 50

func openStore(ctx context.Context, path string, m *metrics) (*store, error) {
	// WAL lets readers run beside the single writer; busy_timeout makes writers queue instead of failing.
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(4)
	s := &store{db: db, m: m, tracer: otel.Tracer(tracerName)}
	if _, err := db.ExecContext(ctx, schema); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("create schema in %s: %w", path, err)
	}
	if err := s.seed(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("seed catalogue in %s: %w", path, err)
	}
	return s, nil
}

func (s *store) seed(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	for i := 1; i <= catalogueSize; i++ {
		_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO items(sku, name, price_cents) VALUES (?, ?, ?)`,
			fmt.Sprintf("sku-%03d", i), fmt.Sprintf("Item %d", i), 100*i+99)
		if err != nil {
			return err
		}
	}
	return tx.Commit()
}

func (s *store) close() error { return s.db.Close() }

// timed runs one statement inside a DB CLIENT span and records its duration with error.type on failure.
// sql.ErrNoRows is an answer, not a failure.
func (s *store) timed(ctx context.Context, op, collection, query string, run func(context.Context) error) error {
	ctx, span := s.tracer.Start(ctx, op+" "+collection,
		trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(
			semconv.DBSystemNameSQLite,
			semconv.DBOperationName(op),
			semconv.DBCollectionName(collection),
			semconv.DBQueryText(query),
		))
	defer span.End()
	start := time.Now()
	err := run(ctx)
	errorType := ""
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		errorType = dbErrorType(err)
		span.SetStatus(codes.Error, err.Error())
		span.SetAttributes(semconv.ErrorTypeKey.String(errorType))
	}
	s.m.dbDuration.WithLabelValues("sqlite", op, collection, errorType).Observe(time.Since(start).Seconds())
	return err
}

func dbErrorType(err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	default:
		return "sqlite_error"
	}
}
