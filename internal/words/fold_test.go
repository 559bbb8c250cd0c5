package words

import "testing"

func TestFoldText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Climate", "climate"},
		{"Malé", "male"},
		{"Huế", "hue"},
		{"Hà Nội", "ha noi"},
		{"Türkiye", "turkiye"},
		{"İSTANBUL ılık", "istanbul ilik"},
		{"Đà Nẵng", "da nang"},
		{"Bogotá, Côte d'Ivoire", "bogota, cote d'ivoire"},
		{"Müller Øresund Æsir straße", "muller oresund aesir strasse"},
		{"Male\u0301", "male"}, // written decomposed
		{"지역정보개발원", "지역정보개발원"}, // Korean as written
		{"Москва", "москва"},   // other scripts: lower case only
		{"हिंदी", "हिंदी"},     // a Hindi vowel sign is part of the word
		{"e-government 2030!", "e-government 2030!"},
	}
	for _, tt := range tests {
		if got := FoldText(tt.in); got != tt.want {
			t.Errorf("FoldText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestKeyIsOneRuleForNames(t *testing.T) {
	same := [][]string{
		{"Korea Local Information Research & Development Institute", "korea local information research and development institute", "Korea  Local Information Research and Development Institute."},
		{"Türkiye", "Turkiye", "TÜRKIYE"},
		{"UN-Habitat", "UN Habitat", "un habitat"},
		{"World Bank's", "World Bank", "world bank’s"},
	}
	for _, names := range same {
		for _, n := range names[1:] {
			if Key(n) != Key(names[0]) {
				t.Errorf("Key(%q) = %q, Key(%q) = %q: want one key", n, Key(n), names[0], Key(names[0]))
			}
		}
	}
	if Key("UN Women") == Key("UN Woman") {
		t.Error("different names share a key")
	}
}
