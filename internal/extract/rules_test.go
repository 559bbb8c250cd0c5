package extract

import (
	"strings"
	"testing"
)

func TestParseRulesErrorsNameRuleFieldAndSelector(t *testing.T) {
	tests := []struct{ name, json, want string }{
		{"bad selector", `{"rules":[{"name":"acme","hosts":["acme.org"],"title":"h1[class="}]}`, `rule "acme": field title: selector "h1[class=" is not valid CSS`},
		{"bad detect", `{"rules":[{"name":"cms","detect":"div:nth-child(x)"}]}`, `rule "cms": field detect: selector "div:nth-child(x)"`},
		{"neither hosts nor detect", `{"rules":[{"name":"x","title":"h1"}]}`, `rule "x": a rule needs hosts`},
		{"url as host", `{"rules":[{"name":"acme","hosts":["https://acme.org/news"]}]}`, `rule "acme": hosts[0] "https://acme.org/news": give a host name`},
		{"no name", `{"rules":[{"hosts":["acme.org"]}]}`, `rules[0]: name is required`},
		{"name twice", `{"rules":[{"name":"a","hosts":["a.org"]},{"name":"a","hosts":["b.org"]}]}`, `rules[1]: name "a" is used twice`},
		{"unknown field", `{"rules":[{"name":"a","hosts":["a.org"],"tittle":"h1"}]}`, `unknown field "tittle" (fields a rule may have: name, hosts`},
		{"date order", `{"rules":[{"name":"a","hosts":["a.org"],"date_order":"ymd"}]}`, `rule "a": field date_order: "ymd"`},
		{"notice url", `{"rules":[{"name":"a","hosts":["a.org"],"notice_url":"(["}]}`, `rule "a": field notice_url: "([" is not a valid regular expression`},
		{"no list", `{"comment":"empty"}`, `no "rules" list`},
		{"not json", `rules: []`, `extract: rules: invalid character`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRules(strings.NewReader(tt.json))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestBuiltinRulesAreValid(t *testing.T) {
	r := BuiltinRules()
	if len(r.All()) < 5 {
		t.Errorf("only %d built-in rules", len(r.All()))
	}
	for _, rule := range r.All() {
		if len(rule.Hosts) > 0 {
			t.Errorf("built-in rule %q is keyed to hosts %v; built-in rules are CMS layouts", rule.Name, rule.Hosts)
		}
	}
}

// A site rule applies on its site and subdomains only; elsewhere the page
// gets the layout rules or the generic extractor, which reads the same
// title from the page but the numeric date day first (no rule says mdy).
func TestSiteRulesApplyOnlyOnTheirSite(t *testing.T) {
	site, err := ParseRules(strings.NewReader(`{"rules":[{"name":"acme","hosts":["www.acme.org"],
		"title":"#headline","date":"#when","date_order":"mdy","body":"#story"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	x := New(Options{Rules: site.With(BuiltinRules()), Now: fixedNow})
	page := []byte(`<html><head><title>Other title | Acme</title></head><body>
		<div id="headline">Acme and KOICA sign an agreement on e-government</div><div id="when">04/05/2021</div>
		<div id="story"><p>` + strings.Repeat("Acme and the Korea International Cooperation Agency agreed to work together. ", 6) + `</p></div>
		<div id="footer">Other text</div></body></html>`)
	tests := []struct {
		url, rule, title, date string
	}{
		{"https://acme.org/news/1", "acme", "Acme and KOICA sign an agreement on e-government", "2021-04-05"},
		{"https://news.acme.org/1", "acme", "Acme and KOICA sign an agreement on e-government", "2021-04-05"},
		{"https://notacme.org/1", "", "Acme and KOICA sign an agreement on e-government", "2021-05-04"},
		{"", "", "Acme and KOICA sign an agreement on e-government", "2021-05-04"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			res, err := x.Extract(Page{URL: tt.url, Body: page})
			if err != nil {
				t.Fatal(err)
			}
			if res.Rule != tt.rule || res.Notice.Title != tt.title || res.Notice.Date.String() != tt.date {
				t.Errorf("rule %q title %q date %s; want %q %q %s", res.Rule, res.Notice.Title, res.Notice.Date, tt.rule, tt.title, tt.date)
			}
		})
	}
}

// A site's notice_url says which of its addresses are notices: links to
// them are a list's notice links, and a page elsewhere on the site is not
// a notice however much it looks like one.
func TestNoticeURLDecidesNoticesAndListLinks(t *testing.T) {
	site, err := ParseRules(strings.NewReader(`{"rules":[{"name":"acme","hosts":["acme.org"],
		"notice_url":"^https://acme\\.org/news/view\\?id=[0-9]+$"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	x := New(Options{Rules: site.With(BuiltinRules()), Now: fixedNow})
	article := []byte(`<html><head><title>Acme signs an agreement with KOICA</title><meta property="og:type" content="article"></head><body>
		<h1>Acme signs an agreement with KOICA</h1><time datetime="2021-04-05">5 April 2021</time>
		<p>` + strings.Repeat("Acme and the Korea International Cooperation Agency agreed to work together. ", 6) + `</p></body></html>`)
	// Two notice links only, and three other links of one shape: without
	// the pattern, the shape would make these three the notices.
	list := []byte(`<html><head><title>News</title></head><body><h1>News</h1><ul>
		<li><a href="/news/view?id=1">Acme signs an agreement with KOICA</a></li>
		<li><a href="/news/view?id=2">Acme opens a regional office in Seoul</a></li>
		<li><a href="/tags/a">Tagged: agreements and partnerships</a></li>
		<li><a href="/tags/b">Tagged: offices and regional presence</a></li>
		<li><a href="/tags/c">Tagged: cooperation with agencies</a></li></ul></body></html>`)
	tests := []struct {
		url   string
		body  []byte
		kind  Kind
		items []string
	}{
		{"https://acme.org/news/view?id=1", article, KindNotice, nil},
		{"https://acme.org/about", article, KindOther, nil},
		{"https://acme.org/news/", list, KindList, []string{"https://acme.org/news/view?id=1", "https://acme.org/news/view?id=2"}},
		// Another site: the pattern does not apply; the article is one.
		{"https://other.org/about", article, KindNotice, nil},
	}
	for _, tt := range tests {
		res, err := x.Extract(Page{URL: tt.url, Body: tt.body})
		if err != nil {
			t.Fatal(err)
		}
		var items []string
		for _, l := range res.Links {
			if l.Item {
				items = append(items, l.URL)
			}
		}
		if res.Kind != tt.kind || strings.Join(items, " ") != strings.Join(tt.items, " ") {
			t.Errorf("%s: kind %v, items %v; want %v, %v", tt.url, res.Kind, items, tt.kind, tt.items)
		}
	}
}
