package sources

import "testing"

func TestLookup(t *testing.T) {
	for name := range Kinds {
		if _, err := Lookup(name); err != nil {
			t.Errorf("Lookup(%q): %v", name, err)
		}
	}
	_, err := Lookup("jria")
	if err == nil {
		t.Fatal("Lookup of an unknown kind succeeded")
	}
	want := `unknown source type "jria" (no source types are compiled in)`
	if len(Kinds) > 0 {
		want = `unknown source type "jria" (known: `
		for i, n := range Names() {
			if i > 0 {
				want += ", "
			}
			want += n
		}
		want += ")"
	}
	if err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	for _, k := range Kinds {
		if k.New == nil {
			t.Error("a kind without a constructor")
		}
	}
}
