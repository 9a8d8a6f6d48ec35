package main

import (
	"context"
	"database/sql"
	"time"
)

// order is one row of the orders table, and the JSON of the API and of the Kafka message.
type order struct {
	ID        string `json:"id"`
	SKU       string `json:"sku"`
	Quantity  int    `json:"quantity"`
	Customer  string `json:"customer"`
	CreatedAt string `json:"createdAt"`
	Published bool   `json:"published"`
	// W3C trace context of the request that created the order, so a message the outbox relay sends
	// later still continues that request's trace.
	traceparent, tracestate string
}

// item is one catalogue row with how often it was ordered.
type item struct {
	SKU        string `json:"sku"`
	Name       string `json:"name"`
	PriceCents int    `json:"priceCents"`
	Orders     int    `json:"orders"`
}

const (
	qItemExists = `SELECT 1 FROM items WHERE sku = ?`
	qInsert     = `INSERT INTO orders(id, sku, quantity, customer, created_at, traceparent, tracestate) VALUES (?, ?, ?, ?, ?, ?, ?)`
	qGet        = `SELECT id, sku, quantity, customer, created_at, published FROM orders WHERE id = ?`
	qPublished  = `UPDATE orders SET published = 1 WHERE id = ?`
	qPending    = `SELECT id, sku, quantity, customer, created_at, traceparent, tracestate FROM orders WHERE published = 0 AND created_at < ? ORDER BY created_at LIMIT ?`
	qCount      = `SELECT COUNT(*) FROM orders WHERE published = 0`
	qItems      = `SELECT i.sku, i.name, i.price_cents, COUNT(o.id) FROM items i LEFT JOIN orders o ON o.sku = i.sku
	               WHERE i.name LIKE ? ESCAPE '\' GROUP BY i.sku ORDER BY i.sku LIMIT ?`
)

func (s *store) itemExists(ctx context.Context, sku string) (bool, error) {
	var one int
	err := s.timed(ctx, "SELECT", "items", qItemExists, func(ctx context.Context) error {
		return s.db.QueryRowContext(ctx, qItemExists, sku).Scan(&one)
	})
	if err == sql.ErrNoRows {
		return false, nil
	}
	return err == nil, err
}

func (s *store) insertOrder(ctx context.Context, o *order) error {
	return s.timed(ctx, "INSERT", "orders", qInsert, func(ctx context.Context) error {
		_, err := s.db.ExecContext(ctx, qInsert, o.ID, o.SKU, o.Quantity, o.Customer, o.CreatedAt, o.traceparent, o.tracestate)
		return err
	})
}

// getOrder returns sql.ErrNoRows for an unknown id.
func (s *store) getOrder(ctx context.Context, id string) (*order, error) {
	o := &order{}
	err := s.timed(ctx, "SELECT", "orders", qGet, func(ctx context.Context) error {
		return s.db.QueryRowContext(ctx, qGet, id).Scan(&o.ID, &o.SKU, &o.Quantity, &o.Customer, &o.CreatedAt, &o.Published)
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

func (s *store) markPublished(ctx context.Context, id string) error {
	return s.timed(ctx, "UPDATE", "orders", qPublished, func(ctx context.Context) error {
		_, err := s.db.ExecContext(ctx, qPublished, id)
		return err
	})
}

// pendingOrders are orders created before `before` whose message the broker has not acknowledged yet,
// oldest first.
func (s *store) pendingOrders(ctx context.Context, limit int, before time.Time) ([]order, error) {
	var out []order
	err := s.timed(ctx, "SELECT", "orders", qPending, func(ctx context.Context) error {
		rows, err := s.db.QueryContext(ctx, qPending, formatTime(before), limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var o order
			if err := rows.Scan(&o.ID, &o.SKU, &o.Quantity, &o.Customer, &o.CreatedAt, &o.traceparent, &o.tracestate); err != nil {
				return err
			}
			out = append(out, o)
		}
		return rows.Err()
	})
	return out, err
}

func (s *store) countPending(ctx context.Context) (int, error) {
	var n int
	err := s.timed(ctx, "SELECT", "orders", qCount, func(ctx context.Context) error {
		return s.db.QueryRowContext(ctx, qCount).Scan(&n)
	})
	return n, err
}

// listItems filters the catalogue by a name substring and counts each item's orders (a join that
// grows with the orders table: the "work" of GET /api/items).
func (s *store) listItems(ctx context.Context, nameContains string, limit int) ([]item, error) {
	pattern := "%" + escapeLike(nameContains) + "%"
	out := []item{}
	err := s.timed(ctx, "SELECT", "items", qItems, func(ctx context.Context) error {
		rows, err := s.db.QueryContext(ctx, qItems, pattern, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var it item
			if err := rows.Scan(&it.SKU, &it.Name, &it.PriceCents, &it.Orders); err != nil {
				return err
			}
			out = append(out, it)
		}
		return rows.Err()
	})
	return out, err
}

func escapeLike(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r == '%' || r == '_' || r == '\\' {
			out = append(out, '\\')
		}
		out = append(out, r)
	}
	return string(out)
}

// formatTime is the created_at format: fixed width in UTC, so text order is time order in SQL.
func formatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}
