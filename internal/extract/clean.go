package extract

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/noticekb/noticekb/internal/pubdate"
)

// Cleaning works on the body's lines (one block per line): what content
// extractors keep around and inside an article that is not its text.

// boilerplateWords are the words of navigation and share lines ("LIST Prev
// Next", "SHARE Facebook Twitter LinkedIn Print", "목록 이전글 다음글").
var boilerplateWords = map[string]bool{
	"list": true, "prev": true, "previous": true, "next": true, "top": true,
	"print": true, "share": true, "this": true, "back": true, "to": true,
	"facebook": true, "twitter": true, "x": true, "linkedin": true, "email": true,
	"e": true, "mail": true, "kakao": true, "kakaotalk": true, "naver": true,
	"band": true, "blog": true, "more": true, "read": true, "continue": true,
	"reading": true, "go": true, "whatsapp": true, "telegram": true, "copy": true,
	"link": true, "url": true, "목록": true, "이전글": true, "다음글": true,
	"이전": true, "다음": true, "인쇄": true, "공유": true, "공유하기": true,
	"스크랩": true, "목록으로": true, "post": true, "posts": true, "navigation": true,
	"advertisement": true, "advert": true, "ad": true, "below": true, "comments": true,
	"comment": true, "sponsored": true, "anzeige": true, "werbung": true, "publicité": true,
}

var (
	// relatedHeading starts the list of other articles that ends many pages.
	relatedHeading = regexp.MustCompile(`(?i)^(you (may|might) (also )?(like|enjoy)|related( (stories|articles|posts|content|news|links|coverage|reading|topics))?|read (more|also|next)|more (from \S+( \S+)?|stories|news)|recommended( for you| stories| articles| reading)?|most (popular|read|viewed)|don'?t miss|see also|explore further|also read|trending( now| stories)?|further reading|what to (read|watch) next|popular (stories|posts|articles)|latest (news|stories|posts)|lees ook|lesen sie auch|mehr zum thema|à lire aussi|lire aussi|leia também|te puede interesar|관련 ?기사|관련 ?뉴스)[\s:.…!]*$`)
	// relatedLine is one teaser of another article: "Related: Title".
	relatedLine = regexp.MustCompile(`(?i)^(related|read more|read also|see also|also read|more|lesen sie auch|lire aussi|leia também)\s*:\s*\S`)
	// promoLine is an advertisement, newsletter or follow-us line.
	promoLine     = regexp.MustCompile(`(?i)^(continue reading( below)?[.…]*$|subscribe\b.*\b(newsletter|channel|podcast|magazine)|sign up\b.*\bnewsletter|thanks for signing up|follow (us|\S+) on (instagram|facebook|twitter|x|youtube|linkedin|tiktok)\b|get the latest\b.*\b(inbox|newsletter)|this slideshow requires javascript|have a (news )?tip\?|share this (article|story|post)\b|join our newsletter|download (our|the) app\b)`)
	copyrightLine = regexp.MustCompile(`(?i)^(copyright|©|\(c\))`)
	bylineLine    = regexp.MustCompile(`^(?i:by|von|par|por|door|di|av)\s+\p{Lu}`)
)

// maxFooterLine bounds the footer lines cleanBody drops: addresses and
// copyright lines are short, and a long paragraph that a page happens to
// wrap in a footer-like element is more likely text than boilerplate.
const maxFooterLine = 300

// cleanBody drops boilerplate, promotion and teaser lines, a repeated
// title and the byline and date block at the top, the list of related
// articles at the end, and extra blank lines. links, when given, are the
// texts of the page's links: lines that are a link and nothing else are
// dropped at either end, and inside the text when they shout in capitals
// (inline promotions of other articles). footer, when given, are the
// short lines of the page's footers, dropped wherever they are.
func cleanBody(text, title string, links, footer map[string]bool) string {
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		lines[i] = strings.TrimSpace(line)
	}
	lines = cutRelatedTail(lines)
	var out []string
	blank := false
	for _, line := range lines {
		if line == "" {
			blank = len(out) > 0
			continue
		}
		norm := strings.Join(strings.Fields(line), " ")
		isLink := links[norm]
		switch {
		case isBoilerplateLine(line), relatedLine.MatchString(line), len(line) <= 240 && promoLine.MatchString(line):
			continue
		case len(line) <= maxFooterLine && footer[norm]:
			continue // the site's footer, taken in by the generic extractor
		case isLink && isShouting(line):
			continue
		case len(out) == 0 && (sameTitle(line, title) || isDateLine(line) || isBylineLine(line) || isLink || isCopyrightLine(line)):
			continue // the heading, byline and date block above the text
		case len(out) == 0:
			line = withoutTitle(line, title)
		}
		if blank {
			out = append(out, "")
			blank = false
		}
		out = append(out, line)
	}
	// Trailing menu links, copyright and date lines.
	for len(out) > 0 {
		last := out[len(out)-1]
		if last != "" && !links[strings.Join(strings.Fields(last), " ")] && !isCopyrightLine(last) && !isDateLine(last) {
			break
		}
		out = out[:len(out)-1]
	}
	return strings.Join(out, "\n")
}

// cutRelatedTail ends the text at a "Related stories" style heading in its
// second half that only short lines (teaser titles) follow; such a heading
// elsewhere is dropped alone.
func cutRelatedTail(lines []string) []string {
	var n int
	for _, l := range lines {
		if l != "" {
			n++
		}
	}
	seen := 0
	for i, l := range lines {
		if l == "" {
			continue
		}
		seen++
		if len(l) <= 80 && relatedHeading.MatchString(l) {
			if seen*2 > n && onlyShortLines(lines[i+1:]) {
				return lines[:i]
			}
			lines[i] = ""
		}
	}
	return lines
}

func onlyShortLines(lines []string) bool {
	for _, l := range lines {
		if len(l) > 200 {
			return false
		}
	}
	return true
}

func isBoilerplateLine(line string) bool {
	ws := strings.FieldsFunc(strings.ToLower(line), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	if len(ws) == 0 {
		return len([]rune(line)) <= 3 // stray bullets and separators: "|", "»"
	}
	if len(ws) > 8 {
		return false
	}
	for _, w := range ws {
		if !boilerplateWords[w] {
			return false
		}
	}
	return true
}

// isDateLine reports whether a line is a date and little else: "Posted:
// 2017.08.09", "UPDATED: Tue., Nov. 19, 2019", "11/19/2019 by Lars Brandle".
func isDateLine(line string) bool {
	if len(line) > 60 {
		return false
	}
	ms := pubdate.Find(line, pubdate.Auto)
	if len(ms) != 1 {
		return false
	}
	rest := strings.TrimSpace(line[:ms[0].Start] + " " + line[ms[0].End:])
	return len(rest) <= 30 && !strings.ContainsAny(rest, ".!?") || len(rest) <= 12
}

// isCopyrightLine reports whether a line is a copyright notice ("© 2021
// UNPOG. All rights reserved."): short, and starting with the word or
// the sign. A paragraph that starts with "Copyright protection became
// necessary …" is text.
func isCopyrightLine(line string) bool {
	return len(line) <= maxCopyrightLine && copyrightLine.MatchString(line)
}

// maxCopyrightLine bounds a copyright notice's length.
const maxCopyrightLine = 200

func isBylineLine(line string) bool {
	return len(line) <= 60 && bylineLine.MatchString(line) && !strings.ContainsAny(line, ".!?")
}

// isShouting reports whether a line of several words is in capitals.
func isShouting(line string) bool {
	letters, upper := 0, 0
	for _, r := range line {
		if unicode.IsLetter(r) {
			letters++
			if unicode.IsUpper(r) {
				upper++
			}
		}
	}
	return letters >= 10 && upper*10 >= letters*9
}

// withoutTitle drops the title from the start of the text's first line,
// where an extractor that flattened a short page ran the heading into the
// text, with or without a space: "Automatic Text Analysis In this article
// …". A line that goes on in lower case is a sentence about its subject
// and stays, with the space the flattening lost.
func withoutTitle(line, title string) string {
	if len(title) < 12 {
		return line
	}
	rest, ok := strings.CutPrefix(line, title)
	if !ok {
		return line
	}
	trimmed := strings.TrimSpace(rest)
	r, _ := utf8.DecodeRuneInString(trimmed)
	switch {
	case trimmed == "" || !unicode.IsLetter(r) && !unicode.IsDigit(r):
		return line // a longer title: "Title: subtitle"
	case unicode.IsLower(r) && trimmed == rest:
		return title + " " + rest
	case unicode.IsLower(r):
		return line
	}
	return trimmed
}

// sameTitle reports whether a line repeats the title, allowing for a
// prefix such as "Notice:" on either.
func sameTitle(line, title string) bool {
	if title == "" {
		return false
	}
	l, t := strings.ToLower(line), strings.ToLower(title)
	return l == t || (len(l) >= 12 && (strings.HasSuffix(t, l) || strings.HasSuffix(l, t)))
}
