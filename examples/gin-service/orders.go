package main

import (
	"database/sql"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
)

// apiError is every error body: a stable code, and a message that names the problem.
type apiError struct {
	Error   string `json:"error"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// orderAPI serves POST /orders and GET /orders/:id.
type orderAPI struct {
	store *store
	pub   *publisher // nil when --kafka is empty
	m     *metrics
	log   *slog.Logger
}

// create stores the order, then sends it to Kafka within --kafka-timeout:
// 201 when the broker acknowledged it (or Kafka is off), 202 when the send failed and the outbox will
// retry it, 400/413/415 for bad input (orders_total{result="rejected"}), 500 when it could not be stored.
func (a *orderAPI) create(c *gin.Context) {
	ctx := c.Request.Context()
	req, bad := decodeOrder(c)
	if bad == nil {
		bad = a.checkItem(c, req)
	}
	if bad != nil {
		a.m.orders.WithLabelValues("rejected").Inc()
		a.log.InfoContext(ctx, "order rejected", slog.String("error_code", bad.body.Error), slog.String("reason", bad.body.Message))
		c.JSON(bad.status, bad.body)
		return
	}
	o := &order{ID: uuid.NewString(), SKU: *req.SKU, Quantity: *req.Quantity, Customer: *req.Customer, CreatedAt: formatTime(time.Now())}
	carrier := propagation.MapCarrier{}
	otel.GetTextMapPropagator().Inject(ctx, carrier)
	o.traceparent, o.tracestate = carrier["traceparent"], carrier["tracestate"]
	if err := a.store.insertOrder(ctx, o); err != nil {
		a.fail(c, "order not stored", err)
		return
	}
	a.m.orders.WithLabelValues("accepted").Inc()
	status := http.StatusCreated
	if a.pub != nil {
		if err := a.pub.publish(ctx, o); err != nil {
			status = http.StatusAccepted
			a.log.WarnContext(ctx, "order stored, Kafka send failed; the outbox retries it",
				slog.String("order_id", o.ID), slog.String("error_message", err.Error()))
		} else if err := a.store.markPublished(ctx, o.ID); err != nil {
			a.log.ErrorContext(ctx, "order sent but not marked; the outbox may send it again",
				slog.String("order_id", o.ID), slog.String("error_message", err.Error()))
		} else {
			o.Published = true
		}
	}
	a.log.InfoContext(ctx, "order accepted", slog.String("order_id", o.ID), slog.Bool("published", o.Published))
	c.Header("Location", "/orders/"+o.ID)
	c.JSON(status, o)
}

func (a *orderAPI) checkItem(c *gin.Context, req *orderRequest) *badRequest {
	ok, err := a.store.itemExists(c.Request.Context(), *req.SKU)
	if err != nil || ok {
		return nil // a lookup failure surfaces as the insert's foreign-key error
	}
	return &badRequest{http.StatusBadRequest, apiError{
		Error: "invalid_order", Field: "sku", Message: "sku: no item " + quote(*req.SKU) + " in the catalogue (GET /api/items lists them)",
	}}
}

func (a *orderAPI) get(c *gin.Context) {
	id := c.Param("id")
	if _, err := uuid.Parse(id); err != nil {
		c.JSON(http.StatusBadRequest, apiError{Error: "invalid_id", Field: "id", Message: "id: want a UUID, got " + quote(id)})
		return
	}
	o, err := a.store.getOrder(c.Request.Context(), id)
	if errors.Is(err, sql.ErrNoRows) {
		c.JSON(http.StatusNotFound, apiError{Error: "not_found", Message: "no order " + id})
		return
	}
	if err != nil {
		a.fail(c, "order lookup failed", err)
		return
	}
	c.JSON(http.StatusOK, o)
}

func (a *orderAPI) fail(c *gin.Context, what string, err error) {
	if c.FullPath() == "/orders" && c.Request.Method == http.MethodPost {
		a.m.orders.WithLabelValues("failed").Inc()
	}
	a.log.ErrorContext(c.Request.Context(), what, slog.String("error_message", err.Error()))
	c.JSON(http.StatusInternalServerError, apiError{Error: "internal", Message: what})
}
