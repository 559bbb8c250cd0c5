package extract

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/gogs/chardet"
	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"

	"github.com/noticekb/noticekb/internal/notice"
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
	var r io.Reader
	if enc := pageEncoding(body, contentType); enc != nil {
		r = enc.NewDecoder().Reader(bytes.NewReader(body))
	} else {
		body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
		if !utf8.Valid(body) {
			// A rune cut at the end, or stray bytes in a UTF-8 page.
			body = bytes.ToValidUTF8(body, []byte("\uFFFD"))
		}
		r = bytes.NewReader(body)
	}
	doc, err := html.Parse(r)
	if err != nil {
		return nil, fmt.Errorf("extract: parse HTML: %w", err)
	}
	limitText(doc, MaxTextBytes)
	return doc, nil
}

// MaxTextBytes bounds the text of one page that extraction reads: a notice
// has a few to a few hundred kilobytes of text, and a page with megabytes
// of it (a log, a dump) is cut here so that every later step stays cheap.
const MaxTextBytes = 2 << 20

// limitText cuts the page's text after limit bytes, in document order.
func limitText(root *html.Node, limit int) {
	total := 0
	for n := root; n != nil; n = nextNode(n) {
		if n.Type != html.TextNode {
			continue
		}
		if total+len(n.Data) > limit {
			cut := max(0, limit-total)
			for cut > 0 && !utf8.RuneStart(n.Data[cut]) {
				cut--
			}
			n.Data = n.Data[:cut]
		}
		total += len(n.Data)
	}
}

// nextNode is the node after n in document order, without recursion.
func nextNode(n *html.Node) *html.Node {
	if n.FirstChild != nil {
		return n.FirstChild
	}
	for ; n != nil; n = n.Parent {
		if n.NextSibling != nil {
			return n.NextSibling
		}
	}
	return nil
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

// metaCharset finds a charset declared in a <meta> tag, in either form:
// <meta charset="euc-kr"> or <meta http-equiv="Content-Type" content="text/html; charset=euc-kr">.
var metaCharset = regexp.MustCompile(`(?i)<meta[^>]+charset\s*=\s*["']?\s*([a-z0-9_:.\-]+)`)

// pageEncoding decides how to read a page's bytes; nil means UTF-8. A byte
// order mark decides; then bytes that are valid UTF-8 are read as UTF-8
// whatever the page declares, because pages that declare Latin-1 or no
// charset at all and are in fact UTF-8 are common, while legacy text that
// happens to be valid UTF-8 is rare. Otherwise the HTTP header's charset,
// then a <meta> declaration anywhere in the head, then a statistical guess.
func pageEncoding(body []byte, contentType string) encoding.Encoding {
	if bytes.HasPrefix(body, []byte("\xef\xbb\xbf")) {
		return nil
	}
	if bytes.HasPrefix(body, []byte("\xfe\xff")) || bytes.HasPrefix(body, []byte("\xff\xfe")) {
		enc, _, _ := charset.DetermineEncoding(body, "")
		return enc
	}
	declared := ""
	if _, params, err := mime.ParseMediaType(contentType); err == nil {
		declared = params["charset"]
	}
	if declared == "" {
		head := body[:min(len(body), 64<<10)]
		if end := bytes.Index(bytes.ToLower(head), []byte("<body")); end > 0 {
			head = head[:end]
		}
		if m := metaCharset.FindSubmatch(head); m != nil {
			declared = string(m[1])
		}
	}
	enc, name := charset.Lookup(declared)
	// ISO-2022 encodings are 7-bit, so their text is also valid UTF-8.
	if strings.HasPrefix(name, "iso-2022") {
		return enc
	}
	if validUTF8(body) {
		return nil
	}
	if enc != nil {
		if name == "utf-8" {
			return nil // broken UTF-8: decode replaces the bad bytes
		}
		return enc
	}
	return guessEncoding(body)
}

// validUTF8 reports whether body is UTF-8, forgiving a rune cut at the end
// (pages are cut at MaxPageBytes).
func validUTF8(body []byte) bool {
	for i := 0; i < 3 && len(body) > 0 && !utf8.Valid(body); i++ {
		body = body[:len(body)-1]
	}
	return utf8.Valid(body)
}

// guessEncoding names the likeliest legacy encoding of undeclared text
// that is not UTF-8; Windows-1252 when the guess is weak.
func guessEncoding(body []byte) encoding.Encoding {
	sample := body[:min(len(body), 256<<10)]
	if res, err := chardet.NewHtmlDetector().DetectBest(sample); err == nil && res.Confidence >= 30 {
		if enc, _ := charset.Lookup(res.Charset); enc != nil {
			return enc
		}
	}
	return charmap.Windows1252
}
