package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/noticekb/noticekb/internal/kbtest"
)

// The browser tests drive Debian's chromium (headless) against the real
// binary: `noticekb serve` on loopback over the bundled demo plus a
// hostile page imported with `noticekb import`. Without chromium they
// skip; NOTICEKB_REQUIRE_BROWSER=1 (set by .ci/run) makes that a failure.
// Screenshots go to NOTICEKB_SCREENSHOTS, or a temporary folder.

const (
	requireBrowserEnv = "NOTICEKB_REQUIRE_BROWSER"
	screenshotsEnv    = "NOTICEKB_SCREENSHOTS"
	stepTimeout       = 20 * time.Second
)

// findChromium returns the browser to test with, or ends the test: a skip
// on a developer machine without one, a failure where one is required.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{os.Getenv("NOTICEKB_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "browser tests need chromium: install it (apt-get install -y chromium) or set NOTICEKB_CHROMIUM"
	if os.Getenv(requireBrowserEnv) == "1" {
		t.Fatalf("%s; %s=1 requires them", msg, requireBrowserEnv)
	}
	t.Skip(msg)
	return ""
}

// browserTestSetup finds chromium (or skips) and the folder for the
// screenshots: NOTICEKB_SCREENSHOTS, or a temporary one.
func browserTestSetup(t *testing.T) (chromium, shots string) {
	t.Helper()
	chromium = findChromium(t)
	if testing.Short() && os.Getenv(requireBrowserEnv) != "1" {
		t.Skip("browser tests skipped in -short mode")
	}
	shots = os.Getenv(screenshotsEnv)
	if shots == "" {
		shots = t.TempDir()
	} else if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	return chromium, shots
}

// serveProcess is `noticekb serve` running as its own process.
type serveProcess struct {
	cmd  *exec.Cmd
	url  string
	done chan error
	log  *kbtest.SyncBuffer
}

// startServeProcess starts the binary on a free loopback port, with the
// admin area off, and waits for the log line that names its URL.
func startServeProcess(t *testing.T, bin, dataDir string) *serveProcess {
	t.Helper()
	return startServeProcessWith(t, bin, dataDir, "")
}

// startServeProcessWith starts the binary with an admin token (or none)
// and more serve flags.
func startServeProcessWith(t *testing.T, bin, dataDir, adminToken string, args ...string) *serveProcess {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--data", dataDir, "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), "NOTICEKB_ADMIN_TOKEN="+adminToken)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &serveProcess{cmd: cmd, done: make(chan error, 1), log: &kbtest.SyncBuffer{}}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(p.log, line)
			if m := servingURL.FindStringSubmatch(line); m != nil {
				select {
				case found <- strings.TrimSuffix(m[1], "/"):
				default:
				}
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	go func() { p.done <- cmd.Wait() }()
	select {
	case p.url = <-found:
	case err := <-p.done:
		t.Fatalf("serve exited: %v\n%s", err, p.log)
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("serve did not report its URL\n%s", p.log)
	}
	return p
}

// stop interrupts the server, as Ctrl-C would, and waits for it.
func (p *serveProcess) stop(t *testing.T) {
	t.Helper()
	p.cmd.Process.Signal(os.Interrupt)
	select {
	case err := <-p.done:
		if err != nil {
			t.Errorf("serve: %v\n%s", err, p.log)
		}
	case <-time.After(20 * time.Second):
		p.cmd.Process.Kill()
		t.Errorf("serve did not stop\n%s", p.log)
	}
}

// startCorpus builds the binary, lets serve import the bundled demo into
// an empty data folder, imports the hostile page next to it, and serves
// the lot until the test ends.
func startCorpus(t *testing.T) string {
	t.Helper()
	bin := buildBinary(t)
	data := t.TempDir()
	startServeProcess(t, bin, data).stop(t)
	out, err := exec.Command(bin, "import", "--data", data, "--base-url", "http://hostile.example/news/", "testdata/hostile").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "added 1") {
		t.Fatalf("import of the hostile page: %v\n%s", err, out)
	}
	p := startServeProcess(t, bin, data)
	t.Cleanup(func() { p.stop(t) })
	return p.url
}

// newBrowser starts headless chromium with a fresh profile; the returned
// context is the browser, and each tab is a context derived from it.
func newBrowser(t *testing.T, chromium string) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		// Chromium leaves its singleton socket folder in TMPDIR when it is
		// stopped; the test's own folder takes it away.
		chromedp.Env("TMPDIR=" + t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	// The first Run starts the browser; its context must not time out.
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		cancelAlloc()
		t.Fatalf("start chromium: %v", err)
	}
	t.Cleanup(func() { cancel(); cancelAlloc() })
	return ctx
}

// tab is one browser tab under test. It records every dialog (and
// dismisses it, so the page does not hang) and every console error.
type tab struct {
	t        *testing.T
	ctx      context.Context
	shots    string
	mu       sync.Mutex
	dialogs  []string
	problems []string
}

func newTab(t *testing.T, browser context.Context, shots string, noScript bool) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	tb := &tab{t: t, ctx: ctx, shots: shots}
	if err := chromedp.Do(ctx); err != nil { // opens the tab
		t.Fatal(err)
	}
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			tb.mu.Lock()
			tb.dialogs = append(tb.dialogs, ev.Message)
			tb.mu.Unlock()
			chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	console := chromedp.Console(ctx)
	go func() {
		for m, err := range console {
			if err != nil {
				return
			}
			if m.IsException() || m.Type == "error" || m.Type == "warning" {
				tb.mu.Lock()
				tb.problems = append(tb.problems, fmt.Sprintf("%s: %s (%s)", m.Type, m.Text, m.URL))
				tb.mu.Unlock()
			}
		}
	}()
	if noScript {
		if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatal(err)
		}
	}
	return tb
}

// do runs actions with a time limit, failing the test on error.
func (tb *tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression in the page. It runs through
// DevTools, so it works with the page's own scripts disabled too.
func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		tb.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitFor polls a JavaScript condition until it holds. An evaluation that
// fails while the page navigates is tried again.
func (tb *tab) waitFor(what, cond string) {
	tb.t.Helper()
	deadline := time.Now().Add(stepTimeout)
	var last error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](cond))
		cancel()
		if err == nil && ok {
			return
		}
		last = err
		time.Sleep(50 * time.Millisecond)
	}
	tb.t.Fatalf("waiting for %s (%s): %v; at %s", what, cond, last, eval[string](tb, "location.href"))
}

// screenshot saves the viewport, or the whole page, as name.png.
func (tb *tab) screenshot(name string, full bool) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	var png []byte
	var err error
	if full {
		png, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
	} else {
		png, err = chromedp.Run(ctx, chromedp.CaptureScreenshot())
	}
	if err != nil {
		tb.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(tb.shots, name+".png"), png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
}

// clean fails the test for any dialog or console error seen so far.
func (tb *tab) clean() {
	tb.t.Helper()
	tb.mu.Lock()
	defer tb.mu.Unlock()
	for _, d := range tb.dialogs {
		tb.t.Errorf("a dialog opened: %q", d)
	}
	for _, p := range tb.problems {
		tb.t.Errorf("console: %s", p)
	}
	tb.dialogs, tb.problems = nil, nil
}

// partnerCounts reads the partner facet: value -> count as shown.
const partnerCounts = `Object.fromEntries([...document.querySelectorAll('#facet-partner li')].map(li => [li.querySelector('input').value, li.querySelector('.count').textContent]))`

func TestBrowser(t *testing.T) {
	chromium, shots := browserTestSetup(t)
	base := startCorpus(t)
	browser := newBrowser(t, chromium)
	t.Logf("screenshots in %s", shots)

	t.Run("with JavaScript", func(t *testing.T) { browseWithScript(t, newTab(t, browser, shots, false), base) })
	t.Run("without JavaScript", func(t *testing.T) { browseWithoutScript(t, newTab(t, browser, shots, true), base) })
	t.Run("typing and did you mean", func(t *testing.T) { typingAndDidYouMean(t, newTab(t, browser, shots, false), base) })
	t.Run("hostile page", func(t *testing.T) { hostilePage(t, newTab(t, browser, shots, false), base) })
	t.Run("other pages and small screens", func(t *testing.T) { otherPages(t, newTab(t, browser, shots, false), base) })
	t.Run("axe accessibility rules", func(t *testing.T) { axeAudit(t, newTab(t, browser, shots, false), base) })
}

func browseWithScript(t *testing.T, tb *tab, base string) {
	tb.do("open the search page", chromedp.Navigate(base+"/"))
	tb.waitFor("the script", `document.documentElement.classList.contains('js')`)
	tb.screenshot("search", false)
	// The stylesheet applies: results are white cards on the grey page.
	if bg := eval[string](tb, `getComputedStyle(document.querySelector('.hit')).backgroundColor + ' on ' + getComputedStyle(document.body).backgroundColor`); bg != "rgb(255, 255, 255) on rgba(0, 0, 0, 0)" {
		t.Errorf("result card colours %s", bg)
	}
	if n := eval[int](tb, `document.querySelectorAll('ol.hits > li').length`); n != 10 {
		t.Errorf("%d hits on the first page, want 10", n)
	}

	keyboardOrder(t, tb, 45)

	// Typing updates the results in place: the page is not reloaded.
	tb.do("mark the page", chromedp.Evaluate[chromedp.Void](`window.samePage = true`))
	tb.do("type a query", chromedp.SendKeys("#q", "smart city"))
	tb.waitFor("results for the words", `document.querySelector('#results-heading').textContent.includes('“smart city”')`)
	if !eval[bool](tb, `window.samePage === true`) {
		t.Error("typing reloaded the page")
	}
	if got := eval[string](tb, `location.search`); got != "?q=smart%20city" {
		t.Errorf("address after typing %q", got)
	}
	if eval[int](tb, `document.querySelectorAll('ol.hits > li').length`) == 0 || eval[int](tb, `document.querySelectorAll('ol.hits mark').length`) == 0 {
		t.Error("no highlighted results for the typed words")
	}

	// Ticking a partner keeps every other partner and its count.
	before := eval[map[string]string](tb, partnerCounts)
	first := eval[string](tb, `document.querySelector('#facet-partner li input').value`)
	tb.do("tick a partner", chromedp.Click(`#facet-partner li:first-child input`))
	tb.waitFor("the partner filter", `location.search.includes('partner=') && document.querySelector('.active-filters') !== null`)
	after := eval[map[string]string](tb, partnerCounts)
	for p, n := range before {
		if after[p] != n {
			t.Errorf("partner %s: %s before ticking %s, %q after", p, n, first, after[p])
		}
	}
	if !eval[bool](tb, `document.querySelector('#facet-partner li:first-child input').checked`) {
		t.Error("the ticked partner is not ticked after the update")
	}
	if got, want := eval[string](tb, `document.querySelector('#results-heading').textContent`), before[first]+" notice"; !strings.HasPrefix(got, want) {
		t.Errorf("heading %q, want %q…", got, want)
	}
	if eval[string](tb, `document.activeElement && document.activeElement.value`) != first {
		t.Error("the focus left the ticked checkbox")
	}
	if !eval[bool](tb, `window.samePage === true`) {
		t.Error("ticking reloaded the page")
	}
	tb.screenshot("search-filtered", false)

	// A histogram bar narrows the results to its year.
	year := eval[string](tb, `[...document.querySelectorAll('.histogram a[data-period]')].find(a => !/: 0 notices/.test(a.getAttribute('aria-label'))).dataset.period`)
	tb.do("click a year bar", chromedp.Click(fmt.Sprintf(`.histogram a[data-period="%s"] rect.hit`, year)))
	tb.waitFor("the year filter", fmt.Sprintf(`location.search.includes('from=%s-01-01') && document.querySelectorAll('.histogram a[data-period^="%s-"]').length === 12`, year, year))
	dates := eval[[]string](tb, `[...document.querySelectorAll('ol.hits time')].map(t => t.getAttribute('datetime'))`)
	if len(dates) == 0 {
		t.Errorf("no notices in %s", year)
	}
	for _, d := range dates {
		if !strings.HasPrefix(d, year) {
			t.Errorf("a notice of %s among those of %s", d, year)
		}
	}
	tb.screenshot("search-year", false)

	// Keyboard: the checkbox of the ticked partner unticks with Space.
	tb.do("focus the partner", chromedp.Focus(`#facet-partner input:checked`))
	tb.do("press space", chromedp.KeyEvent(" "))
	tb.waitFor("the partner removed", `!location.search.includes('partner=')`)

	// Back returns to the previous state, rendered from its address.
	tb.do("go back", chromedp.NavigateBack())
	tb.waitFor("the partner again", `location.search.includes('partner=') && document.querySelector('#facet-partner input:checked') !== null`)

	// Opening a notice.
	title := eval[string](tb, `document.querySelector('ol.hits > li h2 a').textContent`)
	tb.do("open a notice", chromedp.Click(`ol.hits > li:first-child h2 a`), chromedp.WaitVisible(`article.notice-page h1`))
	if got := eval[string](tb, `document.querySelector('article.notice-page h1').textContent`); got != title {
		t.Errorf("notice page title %q, want %q", got, title)
	}
	if eval[int](tb, `document.querySelectorAll('.related li a').length`) == 0 {
		t.Error("no related notices")
	}
	tb.screenshot("notice", true)
	printed(t, tb)

	// Keyboard: the first Tab reaches the skip link, which is visible
	// and outlined when focused.
	tb.do("focus the page", chromedp.Evaluate[chromedp.Void](`document.activeElement && document.activeElement.blur()`))
	tb.do("press tab", chromedp.KeyEvent("\t"))
	if !eval[bool](tb, `document.activeElement.classList.contains('skip') && getComputedStyle(document.activeElement).outlineStyle !== 'none' && document.activeElement.getBoundingClientRect().left >= 0`) {
		t.Errorf("first Tab: %s", eval[string](tb, `document.activeElement.outerHTML`))
	}
	tb.clean()
}

// typingAndDidYouMean types as visitors do: results from the third letter
// of a word (its beginning matches longer words), then a misspelling
// that finds nothing, corrected and said so, and what was typed exactly.
func typingAndDidYouMean(t *testing.T, tb *tab, base string) {
	tb.do("open the search page", chromedp.Navigate(base+"/"))
	tb.waitFor("the script", `document.documentElement.classList.contains('js')`)
	tb.do("mark the page", chromedp.Evaluate[chromedp.Void](`window.samePage = true`))
	tb.do("type two letters", chromedp.SendKeys("#q", "cl"))
	time.Sleep(time.Second) // longer than the script waits after a keystroke
	if got := eval[string](tb, `location.search`); got != "" {
		t.Errorf("two letters searched already: %q", got)
	}
	tb.do("type the third", chromedp.SendKeys("#q", "i"))
	tb.waitFor("results for the beginning", `document.querySelector('#results-heading').textContent.includes('“cli”')`)
	if n := eval[int](tb, `document.querySelectorAll('ol.hits > li').length`); n == 0 {
		t.Errorf("no notices for “cli”: %s", eval[string](tb, `document.querySelector('#results-heading').textContent`))
	}
	if marks := eval[[]string](tb, `[...document.querySelectorAll('ol.hits mark')].map(m => m.textContent.toLowerCase())`); !slices.ContainsFunc(marks, func(m string) bool { return strings.HasPrefix(m, "cli") }) {
		t.Errorf("marks %v, want the words beginning with cli", marks)
	}
	if !eval[bool](tb, `window.samePage === true`) {
		t.Error("typing reloaded the page")
	}

	// Accents need not be typed; the notice shows them.
	tb.do("search Male", chromedp.Navigate(base+"/?q=Male"))
	if marks := eval[[]string](tb, `[...document.querySelectorAll('ol.hits mark')].map(m => m.textContent)`); !slices.Contains(marks, "Malé") {
		t.Errorf("marks for Male: %v, want Malé", marks)
	}
	// A misspelling that finds nothing: the correction's results, said so.
	tb.do("search Mlae", chromedp.Navigate(base+"/?q=Mlae"))
	if got := eval[string](tb, `(document.querySelector('.corrected') || {}).textContent || ''`); !strings.Contains(got, "No notices for “Mlae”; showing results for “Malé”") {
		t.Errorf("correction note %q", got)
	}
	if eval[int](tb, `document.querySelectorAll('ol.hits > li').length`) == 0 {
		t.Error("no results for the correction")
	}
	tb.screenshot("search-corrected", false)
	tb.do("search exactly what was typed", chromedp.Click(`.corrected a`))
	tb.waitFor("what was typed", `document.querySelector('#results-heading').textContent.includes('“Mlae”')`)
	if n, offered := eval[int](tb, `document.querySelectorAll('ol.hits > li').length`), eval[string](tb, `(document.querySelector('.suggestion a') || {}).textContent || ''`); n != 0 || offered != "Malé" {
		t.Errorf("exactly Mlae: %d notices, suggestion %q", n, offered)
	}
	// A word that matched is never corrected.
	tb.do("search climate", chromedp.Navigate(base+"/?q=climate"))
	if n := eval[int](tb, `document.querySelectorAll('.suggestion, .corrected').length`); n != 0 {
		t.Errorf("climate: %s", eval[string](tb, `document.querySelector('.suggestion, .corrected').textContent`))
	}
	tb.clean()
}

func browseWithoutScript(t *testing.T, tb *tab, base string) {
	tb.do("open the search page", chromedp.Navigate(base+"/"))
	if eval[bool](tb, `document.documentElement.classList.contains('js')`) {
		t.Fatal("the page's script ran")
	}
	if eval[string](tb, `getComputedStyle(document.querySelector('.apply-row .apply')).display`) == "none" {
		t.Error("no Apply button without JavaScript")
	}
	tb.do("search", chromedp.SendKeys("#q", "smart city\r"))
	tb.waitFor("results for the words", `location.search.startsWith('?q=smart+city') && document.querySelector('#results-heading').textContent.includes('“smart city”')`)
	if got := eval[string](tb, `location.search`); got != "?q=smart+city&sort=&from=&to=" {
		t.Errorf("the form sends %q", got)
	}

	before := eval[map[string]string](tb, partnerCounts)
	first := eval[string](tb, `document.querySelector('#facet-partner li input').value`)
	tb.do("tick a partner and apply", chromedp.Click(`#facet-partner li:first-child input`), chromedp.Click(`.apply-row .apply`))
	tb.waitFor("the partner filter", `location.search.includes('partner=') && document.readyState === 'complete'`)
	after := eval[map[string]string](tb, partnerCounts)
	for p, n := range before {
		if after[p] != n {
			t.Errorf("partner %s: %s before ticking %s, %q after", p, n, first, after[p])
		}
	}
	if !strings.Contains(eval[string](tb, `location.search`), "q=smart+city") {
		t.Error("applying a filter lost the words")
	}
	tb.screenshot("search-nojs", false)

	year := eval[string](tb, `[...document.querySelectorAll('.histogram a[data-period]')].find(a => !/: 0 notices/.test(a.getAttribute('aria-label'))).dataset.period`)
	tb.do("click a year bar", chromedp.Click(fmt.Sprintf(`.histogram a[data-period="%s"] rect.hit`, year)))
	tb.waitFor("the year filter", fmt.Sprintf(`location.search.includes('from=%s-01-01') && document.readyState === 'complete'`, year))

	tb.do("clear the filters", chromedp.Navigate(base+"/"))
	tb.do("show all partners", chromedp.Click(`#facet-partner a.more`))
	tb.waitFor("every partner", `location.search === '?expand=partner' && document.querySelectorAll('#facet-partner li').length > 10`)
	if !eval[bool](tb, `document.querySelector('#facet-partner .filter-box') === null || document.querySelector('#facet-partner .filter-box').hidden`) {
		t.Error("the script-only filter box shows without script")
	}

	title := eval[string](tb, `document.querySelector('ol.hits > li h2 a').textContent`)
	tb.do("open a notice", chromedp.Click(`ol.hits > li:first-child h2 a`), chromedp.WaitVisible(`article.notice-page h1`))
	if got := eval[string](tb, `document.querySelector('article.notice-page h1').textContent`); got != title {
		t.Errorf("notice page title %q, want %q", got, title)
	}
	tb.clean()
}

// hostilePage checks that a page written to attack visitors (script in
// its title and body, javascript: links, onerror and onload attributes)
// shows as inert text wherever noticekb shows it.
func hostilePage(t *testing.T, tb *tab, base string) {
	const evilTitle = `<script>alert("title")</script> Smart city data forum with KLID`
	pages := []string{"/?q=forum", "/?q=forum&partial=1", "/feed.atom?q=forum", "/partners", "/map?q=forum"}
	for _, p := range pages {
		tb.do("open "+p, chromedp.Navigate(base+p))
	}
	tb.do("search for it", chromedp.Navigate(base+"/?q=forum+KLID"))
	tb.waitFor("the script", `document.documentElement.classList.contains('js')`)
	if got := eval[string](tb, `document.querySelector('ol.hits > li h2 a').textContent`); got != evilTitle {
		t.Fatalf("first hit %q, want the hostile page shown as text", got)
	}
	tb.do("open it", chromedp.Click(`ol.hits > li:first-child h2 a`), chromedp.WaitVisible(`article.notice-page h1`))
	tb.screenshot("notice-hostile", true)
	checks := map[string]string{
		"its title is text":           `document.querySelector('article h1').textContent === ` + jsString(evilTitle),
		"the only script is ours":     `document.scripts.length === 1 && document.scripts[0].src.includes('/static/app.')`,
		"no element from the page":    `document.querySelectorAll('article img, article svg, article iframe, article form, article b').length === 0`,
		"no event handler attributes": `[...document.querySelectorAll('*')].every(el => [...el.attributes].every(a => !a.name.startsWith('on')))`,
		"no javascript: link":         `[...document.querySelectorAll('[href],[src],[action]')].every(el => !/^\s*javascript:/i.test(el.getAttribute('href') || el.getAttribute('src') || el.getAttribute('action')))`,
		"the markup reads as text":    `document.querySelector('article .body').textContent.includes('<img src=x onerror=')`,
	}
	for what, cond := range checks {
		if !eval[bool](tb, cond) {
			t.Errorf("hostile notice: %s does not hold", what)
		}
	}
	// Type the hostile words into the live search too.
	tb.do("open the search page", chromedp.Navigate(base+"/"))
	tb.waitFor("the script", `document.documentElement.classList.contains('js')`)
	tb.do("type", chromedp.SendKeys("#q", `<script>alert(1)</script> forum`))
	tb.waitFor("results", `document.querySelector('#results-heading').textContent.includes('<script>alert(1)</script>')`)
	tb.do("wait for any late script", chromedp.Sleep(300*time.Millisecond))
	tb.clean()
}

func jsString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "`", "\\`", "$", `\$`)
	return "`" + r.Replace(s) + "`"
}

func otherPages(t *testing.T, tb *tab, base string) {
	tb.do("partners", chromedp.Navigate(base+"/partners"))
	if n := eval[int](tb, `document.querySelectorAll('#browse-list tbody tr').length`); n < 10 {
		t.Errorf("%d partners listed", n)
	}
	tb.do("filter partners", chromedp.SendKeys("#browse-filter", "un"))
	tb.waitFor("a narrower list", `[...document.querySelectorAll('#browse-list tbody tr')].every(tr => tr.hidden || tr.textContent.toLowerCase().includes('un'))`)
	tb.do("clear the filter", chromedp.Evaluate[chromedp.Void](`(() => { const i = document.querySelector('#browse-filter'); i.value = ''; i.dispatchEvent(new Event('input')); })()`))
	tb.waitFor("the whole list", `[...document.querySelectorAll('#browse-list tbody tr')].every(tr => !tr.hidden)`)
	tb.screenshot("partners", false)
	tb.do("topics", chromedp.Navigate(base+"/topics"))
	tb.screenshot("topics", false)

	tb.do("map", chromedp.Navigate(base+"/map"))
	tb.screenshot("map", true)
	cell := eval[string](tb, `document.querySelector('table.map td a').getAttribute('href')`)
	tb.do("open a map cell", chromedp.Click(`table.map td a`), chromedp.WaitVisible(`#results-heading`))
	if got := eval[string](tb, `location.pathname + location.search`); got != cell || !strings.Contains(got, "partner=") || !strings.Contains(got, "topic=") {
		t.Errorf("map cell led to %q, want %q with a partner and a topic", got, cell)
	}

	// A phone: 375 px wide, nothing wider than the screen.
	tb.do("phone size", chromedp.EmulateViewport(375, 812))
	for _, p := range []struct{ name, path string }{{"search-375", "/?q=smart+city"}, {"notice-375", ""}, {"map-375", "/map"}, {"partners-375", "/partners"}} {
		path := p.path
		if path == "" {
			path = eval[string](tb, `document.querySelector('ol.hits a') ? new URL(document.querySelector('ol.hits h2 a').href).pathname : '/'`)
		}
		tb.do("open "+path, chromedp.Navigate(base+path))
		if w := eval[int](tb, `document.documentElement.scrollWidth`); w > 375 {
			t.Errorf("%s is %d px wide at 375 px", path, w)
		}
		tb.screenshot(p.name, false)
	}
	tb.do("desktop size", chromedp.ResetViewport())
	tb.clean()
}

// focusVisible tells whether the focused element shows that it has the
// focus: an outline, or for a histogram bar its highlighted column.
const focusVisible = `(() => {
	const el = document.activeElement;
	if (el instanceof SVGElement) {
		const hit = el.querySelector('.hit');
		return hit !== null && getComputedStyle(hit).fill !== 'rgba(0, 0, 0, 0)' && getComputedStyle(hit).fill !== 'transparent';
	}
	const s = getComputedStyle(el);
	return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
})()`

// keyboardOrder presses Tab n times from the top of the page: each stop
// must show its focus, and the stops must follow the document's order.
func keyboardOrder(t *testing.T, tb *tab, n int) {
	t.Helper()
	tb.do("start from the top", chromedp.Evaluate[chromedp.Void](`document.activeElement && document.activeElement.blur(); window.tabStops = []`))
	for i := 0; i < n; i++ {
		tb.do("press tab", chromedp.KeyEvent("\t"))
		if !eval[bool](tb, focusVisible) {
			t.Errorf("tab stop %d shows no focus: %s", i+1, eval[string](tb, `document.activeElement.outerHTML.slice(0, 120)`))
		}
		tb.do("record", chromedp.Evaluate[chromedp.Void](`window.tabStops.push(document.activeElement)`))
	}
	if !eval[bool](tb, `window.tabStops.every((el, i) => i === 0 || (window.tabStops[i-1].compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING))`) {
		t.Error("the tab order does not follow the page")
	}
	stops := eval[[]string](tb, `window.tabStops.map(el => el.id || el.getAttribute('aria-label') || el.textContent.trim().slice(0, 20))`)
	t.Logf("first tab stops: %s", strings.Join(stops, " | "))
	// The filters are one link away from the top of the results.
	tb.do("jump to the filters", chromedp.Focus(`.to-filters`), chromedp.KeyEvent("\r"))
	tb.waitFor("the filters", `location.hash === '#filters' && document.activeElement.id === 'filters'`)
	tb.do("next stop", chromedp.KeyEvent("\t"))
	if !eval[bool](tb, `document.querySelector('#filters').contains(document.activeElement)`) || !eval[bool](tb, focusVisible) {
		t.Errorf("after the filters link, the focus is on %s", eval[string](tb, `document.activeElement.outerHTML.slice(0, 120)`))
	}
	t.Logf("first stop in the filters: %s", eval[string](tb, `document.activeElement.getAttribute('aria-label') || document.activeElement.outerHTML.slice(0, 60)`))
}

// printed renders the notice page as printed: no site header, no related
// list, the source's address written out.
func printed(t *testing.T, tb *tab) {
	t.Helper()
	if _, err := chromedp.Call(tb.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	defer chromedp.Call(tb.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: ""})
	if eval[string](tb, `getComputedStyle(document.querySelector('header.site')).display`) != "none" ||
		eval[string](tb, `getComputedStyle(document.querySelector('.related')).display`) != "none" {
		t.Error("the printed notice keeps the site header or the related list")
	}
	// The source link's text is the notice's original address, so paper
	// keeps it.
	if src := eval[string](tb, `document.querySelector('.source').textContent`); !strings.Contains(src, "http") {
		t.Errorf("the printed notice does not write out its source address: %q", src)
	}
	tb.screenshot("notice-print", true)
}

// axeAudit runs the axe-core accessibility rules (what Lighthouse's
// accessibility audit uses) on the main pages, when NOTICEKB_AXE names
// axe.min.js (npm install axe-core); the rules are not vendored here.
func axeAudit(t *testing.T, tb *tab, base string) {
	path := os.Getenv("NOTICEKB_AXE")
	if path == "" {
		t.Skip("set NOTICEKB_AXE to axe-core's axe.min.js to run its rules")
	}
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	notice := ""
	for _, p := range []string{"/", "/?q=smart+city&partner=KLID", "/?expand=partner", "/?from=2019&to=2019", notice, "/partners", "/topics", "/map", "/nope"} {
		if p == "" {
			p = eval[string](tb, `new URL(document.querySelector('ol.hits h2 a').href).pathname`)
		}
		tb.do("open "+p, chromedp.Navigate(base+p))
		axeCheck(t, tb, src, p)
	}
}

// axeCheck runs the axe-core rules (source src) on the page the tab shows.
func axeCheck(t *testing.T, tb *tab, src []byte, name string) {
	t.Helper()
	// DevTools evaluation is not bound by the page's CSP.
	tb.do("load axe", chromedp.Evaluate[chromedp.Void](string(src)))
	ctx, cancel := context.WithTimeout(tb.ctx, 60*time.Second)
	found, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})
		.then(r => r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.nodes.length + ' nodes, e.g. ' + v.nodes[0].target.join(' ')))`,
		chromedp.EvalAwaitPromise))
	cancel()
	if err != nil {
		t.Fatalf("axe on %s: %v", name, err)
	}
	for _, v := range found {
		t.Errorf("axe on %s: %s", name, v)
	}
	t.Logf("axe on %s: %d violations", name, len(found))
}
