package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/noticekb/noticekb/internal/notice"
)

// statusOf maps domain errors to HTTP status codes.
func statusOf(err error) int {
	var fe *fiber.Error
	switch {
	case errors.As(err, &fe):
		return fe.Code
	case errors.Is(err, notice.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, notice.ErrInvalidQuery), errors.Is(err, notice.ErrInvalidDate):
		return http.StatusBadRequest
	case errors.Is(err, notice.ErrUnauthorized):
		return http.StatusUnauthorized
	case errors.Is(err, notice.ErrForbidden):
		return http.StatusForbidden
	case errors.Is(err, notice.ErrBusy):
		return http.StatusConflict
	case errors.Is(err, notice.ErrUnknownHost):
		return http.StatusUnprocessableEntity
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable // the request timeout: overloaded
	}
	return http.StatusInternalServerError
}

// domainErrors are the errors whose wording a visitor may read.
var domainErrors = []error{notice.ErrInvalidQuery, notice.ErrInvalidDate, notice.ErrNotFound, notice.ErrUnauthorized, notice.ErrForbidden, notice.ErrBusy, notice.ErrUnknownHost}

// publicMessage is what a visitor may read about an error: the domain's
// own wording for client mistakes, never internals for server faults.
func publicMessage(err error, status int) string {
	// A fiber.Error's message is written for visitors (ours, or a status
	// text of Fiber's), even for a 503 "busy".
	var fe *fiber.Error
	if errors.As(err, &fe) {
		return fe.Message
	}
	if status >= 500 {
		return "Something went wrong on our side. Please try again."
	}
	for _, known := range domainErrors {
		if errors.Is(err, known) {
			return domainMessage(err, known)
		}
	}
	return http.StatusText(status)
}

// domainMessage is a domain error's wording without the package context
// it was wrapped in: "invalid query: size must be between 1 and 100" of
// an error made with fmt.Errorf("%w: size must …", notice.ErrInvalidQuery)
// however it was wrapped after, or the bare sentinel's ("not found") when
// what was added around it is context (an ID, a path).
func domainMessage(err, sentinel error) string {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if errors.Unwrap(e) == sentinel {
			if msg := e.Error(); strings.HasPrefix(msg, sentinel.Error()+": ") {
				return msg
			}
			break
		}
	}
	return sentinel.Error()
}

// handleError is the one place errors become responses: JSON for the API,
// problem details for feeds and other machine-read routes, a page for the
// site.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	status := statusOf(err)
	if status >= 500 {
		s.log.Error("request failed", "method", c.Method(), "path", c.Path(), "err", err)
	}
	msg := publicMessage(err, status)
	if isAdmin, _ := c.Locals(adminAPILocal).(bool); isAdmin {
		_, msg = adminMessage(err) // the admin may read which check refused them
	}
	switch {
	case isAPI(c.Path()) || requestUnread(c):
		return c.Status(status).JSON(fiber.Map{"error": msg})
	case machineRoutes[c.Path()]:
		return sendProblem(c, status, msg)
	}
	heading := http.StatusText(status)
	if status == http.StatusNotFound {
		heading, msg = "Not found", "There is no page at this address."
	}
	view := struct {
		Page
		Heading, Message string
	}{Page{Title: heading}, heading, msg}
	if rerr := s.render(c, status, "error", view); rerr != nil {
		return c.Status(status).SendString(msg)
	}
	return nil
}

// machineRoutes are read by programs (feed readers, browsers adding a
// search engine, monitors), which get problem details for an error, never
// an HTML page.
var machineRoutes = map[string]bool{"/feed.atom": true, "/opensearch.xml": true, "/healthz": true, "/metrics": true}

// requestUnread tells a request the server refused before reading it
// whole (headers too large, a chunked body over the limit): fasthttp has
// dropped it, path included, so nobody knows whether a page or the API
// was asked for, and JSON reads well enough for both.
func requestUnread(c *fiber.Ctx) bool {
	return len(c.Request().Header.RawHeaders()) == 0
}

// problem is an RFC 9457 problem details object.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
}

func sendProblem(c *fiber.Ctx, status int, detail string) error {
	body, err := json.Marshal(problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/problem+json")
	return c.Status(status).Send(body)
}
