package extract

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"

	"noticekb/internal/notice"
)

// MaxPageBytes bounds the bytes of one page that are parsed. Notice pages are
// a few hundred kilobytes; a page with a pasted 5 MB image still fits, and
// anything beyond is cut rather than read into a tree without end.
const MaxPageBytes = 16 << 20

// decode turns a page's bytes into a parsed UTF-8 document. It refuses
// bytes that are not HTML (binary, PDF, images) with notice.ErrNotHTML and
// empty pages with notice.ErrNoContent.
func decode(body []byte, contentType string) (*html.Node, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, fmt.Errorf("extract: %w: empty page", notice.ErrNoContent)
	}
	if len(body) > MaxPageBytes {
		body = body[:MaxPageBytes]
	}
	if err := checkHTML(body, contentType); err != nil {
		return nil, err
	}
	enc, name, _ := charset.DetermineEncoding(body, contentType)
	var r io.Reader = bytes.NewReader(body)
	if name != "utf-8" {
		r = enc.NewDecoder().Reader(r)
	} else {
		body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
		r = bytes.NewReader(body)
	}
	doc, err := html.Parse(r)
	if err != nil {
		return nil, fmt.Errorf("extract: parse HTML: %w", err)
	}
	return doc, nil
}

// checkHTML sniffs the first bytes: a page served as text/html may still be
// a PDF or binary junk, and an HTTP header may lie in either direction.
func checkHTML(body []byte, contentType string) error {
	head := body[:min(len(body), 1024)]
	sniffed := http.DetectContentType(head)
	switch {
	case strings.HasPrefix(sniffed, "text/html"), strings.HasPrefix(sniffed, "text/xml"):
		return nil
	case strings.HasPrefix(sniffed, "text/plain"):
		// Sniffing says plain text for HTML that starts with text or a
		// comment; accept it when it has tags and is not mostly control bytes.
		if bytes.Contains(bytes.ToLower(body[:min(len(body), 64<<10)]), []byte("<")) {
			return nil
		}
	}
	if binaryShare(head) > 0.1 {
		return fmt.Errorf("extract: %w: content looks like %s", notice.ErrNotHTML, sniffed)
	}
	if strings.Contains(contentType, "html") || bytes.Contains(body[:min(len(body), 64<<10)], []byte("<")) {
		return nil
	}
	return fmt.Errorf("extract: %w: content looks like %s", notice.ErrNotHTML, sniffed)
}

// binaryShare is the share of bytes that text never contains.
func binaryShare(b []byte) float64 {
	if len(b) == 0 {
		return 0
	}
	bad := 0
	for _, c := range b {
		if c < 0x09 || (c > 0x0d && c < 0x20 && c != 0x1b) {
			bad++
		}
	}
	if !utf8.Valid(b) && bad > 0 {
		bad += len(b) / 20
	}
	return float64(bad) / float64(len(b))
}
