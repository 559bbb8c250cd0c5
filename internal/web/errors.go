package web

import (
	"context"
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
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable // the request timeout: overloaded
	}
	return http.StatusInternalServerError
}

// domainErrors are the errors whose wording a visitor may read.
var domainErrors = []error{notice.ErrInvalidQuery, notice.ErrInvalidDate, notice.ErrNotFound, notice.ErrUnauthorized, notice.ErrForbidden, notice.ErrBusy}

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
// a page for the site.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	status := statusOf(err)
	if status >= 500 {
		s.log.Error("request failed", "method", c.Method(), "path", c.Path(), "err", err)
	}
	msg := publicMessage(err, status)
	if isAPI(c.Path()) {
		return c.Status(status).JSON(fiber.Map{"error": msg})
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
