package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
)

const (
	maxOrderBody    = 16 << 10
	maxQuantity     = 100
	maxCustomerLen  = 64
	orderBodyFormat = `{"sku":"sku-001","quantity":1,"customer":"c-42"}`
)

// orderRequest is the body of POST /orders. Pointers tell a missing field from a zero one.
type orderRequest struct {
	SKU      *string `json:"sku"`
	Quantity *int    `json:"quantity"`
	Customer *string `json:"customer"`
}

// badRequest is a rejected order: its status and the body that says why.
type badRequest struct {
	status int
	body   apiError
}

func invalid(field, format string, args ...any) *badRequest {
	return &badRequest{http.StatusBadRequest, apiError{Error: "invalid_order", Field: field, Message: field + ": " + fmt.Sprintf(format, args...)}}
}

// decodeOrder reads exactly one JSON object with known fields and checks each one.
func decodeOrder(c *gin.Context) (*orderRequest, *badRequest) {
	if ct := c.GetHeader("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return nil, &badRequest{http.StatusUnsupportedMediaType, apiError{
				Error: "unsupported_media_type", Message: "Content-Type " + quote(ct) + ": want application/json",
			}}
		}
	}
	dec := json.NewDecoder(http.MaxBytesReader(c.Writer, c.Request.Body, maxOrderBody))
	dec.DisallowUnknownFields()
	var req orderRequest
	if err := dec.Decode(&req); err != nil {
		return nil, jsonProblem(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &badRequest{http.StatusBadRequest, apiError{Error: "invalid_json", Message: "body: want exactly one JSON object, found more after it"}}
	}
	return &req, req.check()
}

func jsonProblem(err error) *badRequest {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	var tooBig *http.MaxBytesError
	msg := "body: " + err.Error()
	switch {
	case errors.As(err, &tooBig):
		return &badRequest{http.StatusRequestEntityTooLarge, apiError{Error: "body_too_large", Message: fmt.Sprintf("body: larger than %d bytes", maxOrderBody)}}
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return invalid(typeErr.Field, "want %s, got a JSON %s", kindName(typeErr.Type.Kind()), typeErr.Value)
	case errors.As(err, &syntaxErr):
		msg = fmt.Sprintf("body: malformed JSON at byte %d: %v", syntaxErr.Offset, err)
	case errors.Is(err, io.EOF):
		msg = "body: empty; want " + orderBodyFormat
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return invalid(field, "unknown field; an order has sku, quantity and customer")
	}
	return &badRequest{http.StatusBadRequest, apiError{Error: "invalid_json", Message: msg}}
}

func (r *orderRequest) check() *badRequest {
	switch {
	case r.SKU == nil || *r.SKU == "":
		return invalid("sku", "required, e.g. %s", orderBodyFormat)
	case r.Quantity == nil:
		return invalid("quantity", "required, an integer from 1 to %d", maxQuantity)
	case *r.Quantity < 1 || *r.Quantity > maxQuantity:
		return invalid("quantity", "must be from 1 to %d, got %d", maxQuantity, *r.Quantity)
	case r.Customer == nil || strings.TrimSpace(*r.Customer) == "":
		return invalid("customer", "required, a non-empty string")
	case utf8.RuneCountInString(*r.Customer) > maxCustomerLen:
		return invalid("customer", "at most %d characters, got %d", maxCustomerLen, utf8.RuneCountInString(*r.Customer))
	case len(*r.SKU) > 64:
		return invalid("sku", "at most 64 characters")
	}
	return nil
}

func kindName(k reflect.Kind) string {
	if k == reflect.Int {
		return "an integer"
	}
	return "a " + k.String()
}

func quote(s string) string {
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return strconv.Quote(s)
}
