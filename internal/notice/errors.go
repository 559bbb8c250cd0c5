package notice

import "errors"

// Domain errors. Callers match them with errors.Is; the web package maps each
// to an HTTP status, and none of them carries internals worth hiding.
var (
	// ErrNotFound is returned when no notice has the requested ID.
	ErrNotFound = errors.New("not found")
	// ErrInvalidQuery is returned when search parameters are out of range or
	// contradict each other (the wrapped message says which).
	ErrInvalidQuery = errors.New("invalid query")
	// ErrInvalidDate is returned when a date is not in an accepted format or
	// names a day that does not exist.
	ErrInvalidDate = errors.New("invalid date")
	// ErrNotHTML is returned when a page's bytes are not an HTML document
	// (binary data, an image, a PDF).
	ErrNotHTML = errors.New("not an HTML page")
	// ErrNoContent is returned when a page holds no notice text at all.
	ErrNoContent = errors.New("no notice content")
	// ErrBusy is returned when another job or process holds what is needed.
	ErrBusy = errors.New("busy")
	// ErrUnauthorized is returned when an admin request lacks a valid token.
	ErrUnauthorized = errors.New("unauthorized")
	// ErrForbidden is returned when a request is understood but not allowed
	// (an address the crawler must not reach, a path outside the import roots).
	ErrForbidden = errors.New("forbidden")
	// ErrUnknownHost is returned when a URL's host name resolves to no
	// address (an unknown name, or a spelling of an address such as
	// "127.1" that is not an IP address).
	ErrUnknownHost = errors.New("unknown host")
)
