package main

import (
	"log/slog"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
)

const (
	defaultItemsLimit = 20
	maxItemsLimit     = 100
	maxItemsQuery     = 64
)

// listItems serves GET /api/items?q=<name contains>&limit=<1..100>: the catalogue with each item's
// order count, read from SQLite.
func listItems(st *store, log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		limit := defaultItemsLimit
		if raw, ok := c.GetQuery("limit"); ok {
			n, err := strconv.Atoi(raw)
			if err != nil || n < 1 || n > maxItemsLimit {
				c.JSON(http.StatusBadRequest, apiError{Error: "invalid_query", Field: "limit",
					Message: "limit: want an integer from 1 to " + strconv.Itoa(maxItemsLimit) + ", got " + quote(raw)})
				return
			}
			limit = n
		}
		q := c.Query("q")
		if len(q) > maxItemsQuery {
			c.JSON(http.StatusBadRequest, apiError{Error: "invalid_query", Field: "q",
				Message: "q: at most " + strconv.Itoa(maxItemsQuery) + " bytes"})
			return
		}
		items, err := st.listItems(c.Request.Context(), q, limit)
		if err != nil {
			log.ErrorContext(c.Request.Context(), "items query failed", slog.String("error_message", err.Error()))
			c.JSON(http.StatusInternalServerError, apiError{Error: "internal", Message: "items query failed"})
			return
		}
		c.JSON(http.StatusOK, gin.H{"items": items, "count": len(items)})
	}
}
