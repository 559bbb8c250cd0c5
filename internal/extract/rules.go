package extract

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"

	"github.com/noticekb/noticekb/internal/pubdate"
)

//go:embed rules.json
var builtinRules []byte

// Rule tells the extractor where a site keeps a notice's parts. A rule with
// hosts applies only to pages on those hosts; a rule without hosts is a
// layout rule that applies to any page its detect selector matches (common
// CMS boards). Empty selectors fall back to the generic extractor.
type Rule struct {
	Name      string   `json:"name"`
	Hosts     []string `json:"hosts,omitempty"`
	Detect    string   `json:"detect,omitempty"`
	Title     string   `json:"title,omitempty"`
	Date      string   `json:"date,omitempty"`
	DateOrder string   `json:"date_order,omitempty"` // "dmy", "mdy" or "" (decide by evidence)
	Body      string   `json:"body,omitempty"`
	Exclude   string   `json:"exclude,omitempty"`
	ListLinks string   `json:"list_links,omitempty"`
	NextPage  string   `json:"next_page,omitempty"`
	Publisher string   `json:"publisher,omitempty"`
	// NoticeURL, a regular expression, marks which URLs of the site are
	// notices: links matching it are a list's notice links (unless
	// ListLinks says), and only pages at matching URLs are notices.
	NoticeURL string `json:"notice_url,omitempty"`

	detect, title, date, body, exclude, listLinks, nextPage goquery.Matcher
	noticeURL                                               *regexp.Regexp
	order                                                   pubdate.Order
}

// Rules is a validated set of rules, site rules before layout rules.
type Rules struct {
	rules []*Rule
}

type rulesFile struct {
	Comment string  `json:"comment,omitempty"`
	Rules   []*Rule `json:"rules"`
}

// BuiltinRules returns the layout rules shipped with noticekb.
func BuiltinRules() *Rules {
	r, err := ParseRules(strings.NewReader(string(builtinRules)))
	if err != nil {
		panic("extract: shipped rules are invalid: " + err.Error())
	}
	return r
}

// BuiltinRulesJSON is the shipped rules file, for admins to start from.
func BuiltinRulesJSON() []byte { return builtinRules }

// LoadRules reads a rules file. The built-in layout rules are kept after
// the file's own, so a file only needs the sites it knows.
func LoadRules(path string) (*Rules, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("extract: rules: %w", err)
	}
	defer f.Close()
	r, err := ParseRules(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r.With(BuiltinRules()), nil
}

// ParseRules reads rules in JSON and compiles every selector, reporting
// the first invalid one by rule name and field.
func ParseRules(r io.Reader) (*Rules, error) {
	var file rulesFile
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&file); err != nil {
		return nil, fmt.Errorf("extract: rules: %w (fields a rule may have: %s)", err, ruleFields)
	}
	if file.Rules == nil {
		return nil, fmt.Errorf(`extract: rules: no "rules" list`)
	}
	names := map[string]bool{}
	for i, rule := range file.Rules {
		if rule == nil || strings.TrimSpace(rule.Name) == "" {
			return nil, fmt.Errorf("extract: rules[%d]: name is required", i)
		}
		if names[rule.Name] {
			return nil, fmt.Errorf("extract: rules[%d]: name %q is used twice", i, rule.Name)
		}
		names[rule.Name] = true
		if err := rule.compile(); err != nil {
			return nil, fmt.Errorf("extract: rule %q: %w", rule.Name, err)
		}
	}
	return &Rules{rules: file.Rules}, nil
}

// ruleFields lists a rule's JSON fields for error messages.
const ruleFields = "name, hosts, detect, title, date, date_order, body, exclude, list_links, next_page, publisher, notice_url"

// With returns rules that try r's rules first, then other's.
func (r *Rules) With(other *Rules) *Rules {
	out := &Rules{rules: append([]*Rule{}, r.rules...)}
	seen := map[string]bool{}
	for _, rule := range r.rules {
		seen[rule.Name] = true
	}
	for _, rule := range other.rules {
		if !seen[rule.Name] {
			out.rules = append(out.rules, rule)
		}
	}
	return out
}

// All returns the rules in the order they are tried.
func (r *Rules) All() []*Rule { return r.rules }

func (rule *Rule) compile() error {
	if len(rule.Hosts) == 0 && rule.Detect == "" {
		return fmt.Errorf("a rule needs hosts (a site rule) or a detect selector (a layout rule)")
	}
	for i, h := range rule.Hosts {
		h = strings.ToLower(strings.TrimSpace(h))
		if h == "" || strings.ContainsAny(h, "/:?# ") {
			return fmt.Errorf("hosts[%d] %q: give a host name such as example.org, without scheme, port or path", i, rule.Hosts[i])
		}
		rule.Hosts[i] = strings.TrimPrefix(h, "www.")
	}
	fields := []struct {
		name string
		src  string
		dst  *goquery.Matcher
	}{
		{"detect", rule.Detect, &rule.detect}, {"title", rule.Title, &rule.title},
		{"date", rule.Date, &rule.date}, {"body", rule.Body, &rule.body},
		{"exclude", rule.Exclude, &rule.exclude}, {"list_links", rule.ListLinks, &rule.listLinks},
		{"next_page", rule.NextPage, &rule.nextPage},
	}
	for _, f := range fields {
		if strings.TrimSpace(f.src) == "" {
			continue
		}
		sel, err := cascadia.Compile(f.src)
		if err != nil {
			return fmt.Errorf("field %s: selector %q is not valid CSS: %w", f.name, f.src, err)
		}
		*f.dst = sel
	}
	switch strings.ToLower(rule.DateOrder) {
	case "":
		rule.order = pubdate.Auto
	case "dmy":
		rule.order = pubdate.DayFirst
	case "mdy":
		rule.order = pubdate.MonthFirst
	default:
		return fmt.Errorf("field date_order: %q: use dmy, mdy or leave it empty", rule.DateOrder)
	}
	if rule.NoticeURL != "" {
		re, err := regexp.Compile(rule.NoticeURL)
		if err != nil {
			return fmt.Errorf("field notice_url: %q is not a valid regular expression: %w", rule.NoticeURL, err)
		}
		rule.noticeURL = re
	}
	return nil
}

// match returns the first rule for a page on host: a site rule for the
// host (whose detect selector, if any, matches), else a layout rule whose
// detect selector matches.
func (r *Rules) match(host string, doc *html.Node) *Rule {
	host = strings.TrimPrefix(strings.ToLower(host), "www.")
	for _, rule := range r.rules {
		if len(rule.Hosts) > 0 && !rule.forHost(host) {
			continue
		}
		if rule.detect != nil && cascadia.Query(doc, rule.detect) == nil {
			continue
		}
		return rule
	}
	return nil
}

// noticeURL returns the notice URL pattern of the first site rule for
// host that has one, whatever its detect selector says: the pattern is
// about the site's addresses, list pages included.
func (r *Rules) noticeURL(host string) *regexp.Regexp {
	host = strings.TrimPrefix(strings.ToLower(host), "www.")
	for _, rule := range r.rules {
		if rule.noticeURL != nil && len(rule.Hosts) > 0 && rule.forHost(host) {
			return rule.noticeURL
		}
	}
	return nil
}

func (rule *Rule) forHost(host string) bool {
	for _, h := range rule.Hosts {
		if host == h || strings.HasSuffix(host, "."+h) {
			return true
		}
	}
	return false
}
