package extract

import (
	"regexp"
	"strings"

	"github.com/PuerkitoBio/goquery"

	"github.com/noticekb/noticekb/internal/notice"
)

// copyrightRe finds the owner in "Copyright © 2017 Some Organisation. All
// rights reserved." style footers.
var copyrightRe = regexp.MustCompile(`(?i)(?:copyright|©|\(c\))\s*(?:©\s*)?(?:(?:19|20)\d\d\s*[-–]?\s*(?:(?:19|20)\d\d)?\s*)?(?:by\s+)?([^.|\n©]{3,90})`)

// findPublisher names the organisation whose site published the notice:
// the rule's publisher, the site name in metadata, a part of <title>, the
// logo or the copyright line. Known organisations are given by their
// canonical partner name, so the publisher facet and the partner facet
// agree on names.
func (pg *page) findPublisher() notice.Partner {
	resolver := pg.x.partners.Load()
	// Declared site names are taken as they are when no known organisation
	// matches them; names found in titles, logos and footers only count
	// when they name a known organisation.
	var declared []string
	if pg.rule != nil && pg.rule.Publisher != "" {
		declared = append(declared, pg.rule.Publisher)
	}
	declared = append(declared, pg.meta.ogSiteName, pg.meta.ld.publisher)
	for _, c := range declared {
		if c = cleanPublisher(c); c == "" {
			continue
		}
		if p, ok := resolver.Lookup(c); ok {
			return p
		}
		return notice.Partner{Name: c}
	}
	for _, c := range titleParts(pg.meta.title) {
		if p, ok := resolver.Lookup(c); ok {
			return p
		}
	}
	var found []string
	pg.doc.Find(".site-title, #logo, .logo, h1.logo, header .brand, .navbar-brand").Each(func(_ int, s *goquery.Selection) {
		found = append(found, strings.TrimSpace(s.Text()), s.Find("img").AttrOr("alt", ""))
	})
	owners := pg.copyrightOwners()
	found = append(found, owners...)
	for _, c := range found {
		if p, ok := resolver.Lookup(c); ok {
			return p
		}
		// A logo's alt text or a footer may name the organisation inside a longer text.
		if f := resolver.Find(c); len(f.Partners) == 1 && len(c) <= 120 {
			return f.Partners[0]
		}
	}
	for _, c := range owners {
		if c = cleanPublisher(c); c != "" {
			return notice.Partner{Name: c}
		}
	}
	if host := pg.host(); host != "" {
		return notice.Partner{Name: strings.TrimPrefix(host, "www.")}
	}
	return notice.Partner{}
}

// titleParts are the pieces of "<title>" around separators, site name
// usually last.
func titleParts(t string) []string {
	parts := splitTitle(t)
	if len(parts) < 2 {
		return parts
	}
	// The site name is at one end; try the last part first.
	return []string{parts[len(parts)-1], parts[0]}
}

func (pg *page) copyrightOwners() []string {
	var owners []string
	pg.doc.Find("footer, #footer, .footer, #ft, .copyright, .copy, address").Each(func(_ int, s *goquery.Selection) {
		for _, m := range copyrightRe.FindAllStringSubmatch(s.Text(), 3) {
			owners = append(owners, m[1])
		}
	})
	return owners
}

var allRightsRe = regexp.MustCompile(`(?i)\s*all rights reserved.*$`)

func cleanPublisher(s string) string {
	s = allRightsRe.ReplaceAllString(strings.Join(strings.Fields(s), " "), "")
	s = strings.Trim(s, " ,.;:-–|")
	if len(s) < 2 || len(s) > 90 {
		return ""
	}
	return s
}
