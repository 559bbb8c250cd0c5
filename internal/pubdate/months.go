package pubdate

import "time"

// monthNames maps the month names and abbreviations notice pages use, in
// lower case, to months. It is filled once at start and only read after.
var monthNames = buildMonthNames()

func buildMonthNames() map[string]time.Month {
	// One row per month: English, German, French, Spanish, Italian,
	// Portuguese, Dutch, Scandinavian, Indonesian, Polish, Czech, Turkish,
	// Romanian, Russian and Ukrainian (nominative and genitive).
	names := [12][]string{
		{"january", "jan", "januar", "janvier", "janv", "enero", "ene", "gennaio", "gen", "janeiro", "januari", "jänner", "jan",
			"stycznia", "styczeń", "ianuarie", "ian", "ledna", "leden", "ocak", "январь", "января", "янв", "січень", "січня"},
		{"february", "feb", "februar", "février", "fevrier", "févr", "fevr", "febrero", "febbraio", "fevereiro", "fev", "februari", "feber",
			"lutego", "luty", "februarie", "února", "únor", "şubat", "subat", "февраль", "февраля", "фев", "лютий", "лютого"},
		{"march", "mar", "märz", "maerz", "mars", "marzo", "março", "marco", "maart", "mrz", "marts", "maret",
			"marca", "marzec", "martie", "března", "březen", "mart", "март", "марта", "мар", "березень", "березня"},
		{"april", "apr", "avril", "avr", "abril", "abr", "aprile", "kwietnia", "kwiecień", "aprilie", "dubna", "duben", "nisan",
			"апрель", "апреля", "апр", "квітень", "квітня"},
		{"may", "mai", "mayo", "maggio", "maio", "mei", "maj", "maja", "května", "květen", "mayıs", "mayis",
			"май", "мая", "травень", "травня"},
		{"june", "jun", "juni", "juin", "junio", "giugno", "giu", "junho", "czerwca", "czerwiec", "iunie", "iun", "června", "červen", "haziran",
			"июнь", "июня", "июн", "червень", "червня"},
		{"july", "jul", "juli", "juillet", "juil", "julio", "luglio", "lug", "julho", "lipca", "lipiec", "iulie", "iul", "července", "červenec", "temmuz",
			"июль", "июля", "июл", "липень", "липня"},
		{"august", "aug", "août", "aout", "agosto", "ago", "augustus", "augusti", "agustus", "sierpnia", "sierpień", "srpna", "srpen",
			"ağustos", "agustos", "август", "августа", "авг", "серпень", "серпня"},
		{"september", "sep", "sept", "septembre", "septiembre", "settembre", "set", "setembro", "września", "wrzesień", "septembrie", "září",
			"eylül", "eylul", "сентябрь", "сентября", "сен", "вересень", "вересня"},
		{"october", "oct", "oktober", "okt", "octobre", "octubre", "ottobre", "ott", "outubro", "out", "października", "październik", "octombrie",
			"října", "říjen", "ekim", "октябрь", "октября", "окт", "жовтень", "жовтня"},
		{"november", "nov", "novembre", "noviembre", "novembro", "listopada", "listopad", "noiembrie", "noi", "listopadu", "kasım", "kasim",
			"ноябрь", "ноября", "ноя", "листопад"},
		{"december", "dec", "dezember", "dez", "décembre", "decembre", "déc", "diciembre", "dic", "dicembre", "dezembro", "desember",
			"grudnia", "grudzień", "decembrie", "prosince", "prosinec", "aralık", "aralik", "декабрь", "декабря", "дек", "грудень", "грудня"},
	}
	m := map[string]time.Month{}
	for i, list := range names {
		for _, n := range list {
			m[n] = time.Month(i + 1)
		}
	}
	return m
}
