package web

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// An offline HTML checker for the pages this package renders: no
// validator service is reachable from tests, so it checks what the
// templates can get wrong. Well-formedness (every element closed, in
// order), unique ids and references to them, labels on every control,
// names on links and buttons, one main and one h1, heading order, list and
// table structure, and nothing the Content-Security-Policy would block
// (inline script, inline style, event-handler attributes, javascript:
// URLs).

var voidElements = map[string]bool{
	"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true, "img": true,
	"input": true, "link": true, "meta": true, "source": true, "track": true, "wbr": true,
}

// parentsOf lists the only elements that may hold an element.
var parentsOf = map[string][]string{
	"li": {"ul", "ol", "menu"}, "dt": {"dl", "div"}, "dd": {"dl", "div"},
	"tr": {"thead", "tbody", "tfoot", "table"}, "td": {"tr"}, "th": {"tr"},
	"thead": {"table"}, "tbody": {"table"}, "caption": {"table"}, "legend": {"fieldset"},
	"option": {"select", "optgroup", "datalist"},
}

type element struct {
	name  string
	attrs map[string]string
	text  strings.Builder // text content, for accessible names
}

type htmlReport struct {
	problems []string
}

func (r *htmlReport) addf(format string, args ...any) {
	r.problems = append(r.problems, fmt.Sprintf(format, args...))
}

// checkHTML reports what is wrong with a page, or with a fragment when
// fragment is set (then references may point outside it and there is no
// document structure to check).
func checkHTML(body string, fragment bool) []string {
	r := &htmlReport{}
	if !fragment && !strings.HasPrefix(body, "<!DOCTYPE html>") {
		r.addf("no <!DOCTYPE html> at the start")
	}
	z := html.NewTokenizer(strings.NewReader(body))
	var stack []*element
	ids := map[string]int{}
	var refs [][2]string // attribute, id
	counts := map[string]int{}
	lastHeading := 0
	var controls []*element
	labelFor := map[string]bool{}
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			if z.Err() != io.EOF {
				r.addf("tokenizer: %v", z.Err())
			}
			break
		}
		tok := z.Token()
		switch tt {
		case html.TextToken:
			for _, e := range stack {
				e.text.WriteString(tok.Data)
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			e := &element{name: tok.Data, attrs: map[string]string{}}
			for _, a := range tok.Attr {
				if _, dup := e.attrs[a.Key]; dup {
					r.addf("<%s> has %s twice", e.name, a.Key)
				}
				e.attrs[a.Key] = a.Val
			}
			checkElement(r, e, stack, ids, &refs, labelFor)
			if !stackHas(stack, "svg") {
				counts[e.name]++
			}
			if lvl := headingLevel(e.name); lvl > 0 {
				if lastHeading > 0 && lvl > lastHeading+1 {
					r.addf("<%s> follows <h%d>: a heading level is skipped", e.name, lastHeading)
				}
				lastHeading = lvl
			}
			if isControl(e) {
				controls = append(controls, e)
			}
			if stackHas(stack, "label") && e.name != "label" && isControl(e) {
				e.attrs["data-labelled-by-ancestor"] = "1"
			}
			if tt == html.SelfClosingTagToken && !voidElements[e.name] && !inSVG(stack, e) {
				r.addf("<%s/> is not a void element", e.name)
			}
			if tt == html.StartTagToken && !voidElements[e.name] {
				stack = append(stack, e)
			}
		case html.EndTagToken:
			if voidElements[tok.Data] {
				r.addf("</%s>: void elements have no end tag", tok.Data)
				continue
			}
			if len(stack) == 0 || stack[len(stack)-1].name != tok.Data {
				open := "nothing"
				if len(stack) > 0 {
					open = "<" + stack[len(stack)-1].name + ">"
				}
				r.addf("</%s> closes %s", tok.Data, open)
				continue
			}
			closed := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			checkName(r, closed)
		}
	}
	for _, e := range stack {
		r.addf("<%s> is never closed", e.name)
	}
	for id, n := range ids {
		if n > 1 {
			r.addf("id %q is used %d times", id, n)
		}
	}
	for _, ref := range refs {
		if ids[ref[1]] == 0 && !(fragment && (ref[0] == "form" || ref[0] == "href")) {
			r.addf("%s refers to missing id %q", ref[0], ref[1])
		}
	}
	for _, c := range controls {
		if c.attrs["aria-label"] == "" && c.attrs["aria-labelledby"] == "" && !labelFor[c.attrs["id"]] && c.attrs["data-labelled-by-ancestor"] == "" {
			r.addf("<%s name=%q> has no label", c.name, c.attrs["name"])
		}
	}
	if !fragment {
		for name, want := range map[string]int{"main": 1, "h1": 1, "title": 1} {
			if counts[name] != want {
				r.addf("%d <%s> elements, want %d", counts[name], name, want)
			}
		}
	}
	return r.problems
}

func checkElement(r *htmlReport, e *element, stack []*element, ids map[string]int, refs *[][2]string, labelFor map[string]bool) {
	if id, ok := e.attrs["id"]; ok {
		ids[id]++
	}
	for key, val := range e.attrs {
		switch {
		case key == "style":
			r.addf("<%s> has an inline style (blocked by the CSP)", e.name)
		case strings.HasPrefix(key, "on"):
			r.addf("<%s> has an event handler %s (blocked by the CSP)", e.name, key)
		case (key == "href" || key == "src" || key == "action") && strings.HasPrefix(strings.ToLower(strings.TrimSpace(val)), "javascript:"):
			r.addf("<%s %s=%q> is a javascript: URL", e.name, key, val)
		case key == "for" || key == "form":
			*refs = append(*refs, [2]string{key, val})
		case key == "aria-labelledby" || key == "aria-describedby":
			for _, id := range strings.Fields(val) {
				*refs = append(*refs, [2]string{key, id})
			}
		case key == "href" && strings.HasPrefix(val, "#") && len(val) > 1:
			*refs = append(*refs, [2]string{key, val[1:]})
		}
	}
	switch e.name {
	case "html":
		if e.attrs["lang"] == "" {
			r.addf("<html> has no lang")
		}
	case "script":
		if e.attrs["src"] == "" {
			r.addf("inline <script> (blocked by the CSP)")
		}
	case "style":
		r.addf("<style> element (blocked by the CSP)")
	case "img":
		if _, ok := e.attrs["alt"]; !ok {
			r.addf("<img> without alt")
		}
	case "label":
		if f := e.attrs["for"]; f != "" {
			labelFor[f] = true
		}
	case "a", "button":
		for _, p := range stack {
			if p.name == "a" || p.name == "button" {
				r.addf("<%s> inside <%s>", e.name, p.name)
			}
		}
	}
	if parents, ok := parentsOf[e.name]; ok {
		if len(stack) == 0 || !slices.Contains(parents, stack[len(stack)-1].name) {
			parent := "the top"
			if len(stack) > 0 {
				parent = "<" + stack[len(stack)-1].name + ">"
			}
			r.addf("<%s> inside %s", e.name, parent)
		}
	}
}

// checkName reports links and buttons nobody can name.
func checkName(r *htmlReport, e *element) {
	if e.name != "button" && !(e.name == "a" && e.attrs["href"] != "") {
		return
	}
	if strings.TrimSpace(e.text.String()) == "" && e.attrs["aria-label"] == "" && e.attrs["aria-labelledby"] == "" {
		r.addf("<%s href=%q> has no text or label", e.name, e.attrs["href"])
	}
}

func isControl(e *element) bool {
	switch e.name {
	case "select", "textarea":
		return true
	case "input":
		switch e.attrs["type"] {
		case "hidden", "submit", "button", "reset", "image":
			return false
		}
		return true
	}
	return false
}

func headingLevel(name string) int {
	if len(name) == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6' {
		return int(name[1] - '0')
	}
	return 0
}

func stackHas(stack []*element, name string) bool {
	for _, e := range stack {
		if e.name == name {
			return true
		}
	}
	return false
}

func inSVG(stack []*element, e *element) bool {
	return e.name == "svg" || stackHas(stack, "svg")
}

// The checker must catch what it claims to: each broken page below has
// exactly the problem named.
func TestCheckHTMLFindsProblems(t *testing.T) {
	page := func(body string) string {
		return `<!DOCTYPE html><html lang="en"><head><title>t</title></head><body><main><h1>x</h1>` + body + `</main></body></html>`
	}
	tests := []struct {
		body, want string
	}{
		{`<p>ok</p>`, ""},
		{`<div><p>unclosed</div>`, "</div> closes <p>"},
		{`<p id="a"></p><p id="a"></p>`, `id "a" is used 2 times`},
		{`<input name="q">`, "has no label"},
		{`<label for="q">Q</label><input id="q" name="q">`, ""},
		{`<label>Q <input name="q"></label>`, ""},
		{`<a href="/x"></a>`, "has no text or label"},
		{`<p style="color:red">x</p>`, "inline style"},
		{`<p onclick="x()">x</p>`, "event handler"},
		{`<a href="javascript:alert(1)">x</a>`, "javascript: URL"},
		{`<script>alert(1)</script>`, "inline <script>"},
		{`<li>x</li>`, "<li> inside <main>"},
		{`<h3>x</h3>`, "heading level is skipped"},
		{`<input form="nope" aria-label="x">`, `missing id "nope"`},
		{`<h1>second</h1>`, "2 <h1> elements"},
		{`<a href="/a"><a href="/b">x</a></a>`, "<a> inside <a>"},
	}
	for _, tt := range tests {
		problems := checkHTML(page(tt.body), false)
		joined := strings.Join(problems, "; ")
		if tt.want == "" && len(problems) > 0 {
			t.Errorf("%s: unexpected %s", tt.body, joined)
		}
		if tt.want != "" && !strings.Contains(joined, tt.want) {
			t.Errorf("%s: got %q, want %q", tt.body, joined, tt.want)
		}
	}
}
