package swr

import (
	"encoding/json"
	"testing"
)

func TestParseContentRange(t *testing.T) {
	t.Parallel()
	tests := []struct {
		header  string
		want    ContentRange
		wantErr string
	}{
		{header: "0-1000/2501", want: ContentRange{0, 1000, 2501}},
		{header: " 2000-501/2501 ", want: ContentRange{2000, 501, 2501}},
		{header: "0-0/0", want: ContentRange{0, 0, 0}},
		{header: "", wantErr: `content range "" has no total`},
		{header: "0-10", wantErr: `content range "0-10" has no total`},
		{header: "10/20", wantErr: `content range "10/20" has no offset-count`},
		{header: "0-10/*", wantErr: `content range "0-10/*": "*" is not a count`},
		{header: "0--1/5", wantErr: `content range "0--1/5": "-1" is not a count`},
		{header: "a-1/5", wantErr: `content range "a-1/5": "a" is not a count`},
		{
			header: "0-1/99999999999999999999",
			wantErr: `content range "0-1/99999999999999999999": ` +
				`"99999999999999999999" is not a count`,
		},
	}
	for _, tt := range tests {
		got, err := ParseContentRange(tt.header)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("ParseContentRange(%q) error = %v, want %q", tt.header, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseContentRange(%q) = %+v, %v; want %+v", tt.header, got, err, tt.want)
		}
	}
}

func TestPageTotal(t *testing.T) {
	t.Parallel()
	withTotal := []Repository{{Name: "a", TotalRange: 42}}
	tests := []struct {
		name         string
		contentRange string
		offset       int
		repositories []Repository
		want         int
		ok           bool
	}{
		{"header", "0-1/7", 0, withTotal, 7, true},
		{"header for another offset falls back to body", "1000-1/7", 0, withTotal, 42, true},
		{"garbage header falls back to body", "lots", 0, withTotal, 42, true},
		{"no header, total_range", "", 0, withTotal, 42, true},
		{"no header, no total_range", "", 0, []Repository{{Name: "a"}}, 0, false},
		{"empty page, no header", "", 0, nil, 0, false},
		{"empty page with header", "1000-0/1000", 1000, nil, 1000, true},
	}
	for _, tt := range tests {
		got, ok := pageTotal(tt.contentRange, tt.offset, tt.repositories)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s: pageTotal = %d, %v; want %d, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

func TestUniqueRepositories(t *testing.T) {
	t.Parallel()
	repo := func(ns, name string) Repository { return Repository{Namespace: ns, Name: name} }
	pages := []page{
		{offset: 2, repositories: []Repository{repo("b", "y"), repo("a", "x")}},
		{offset: 0, repositories: []Repository{repo("a", "x"), repo("a", "y")}},
	}
	got := uniqueRepositories(pages)
	var keys []string
	for _, r := range got {
		keys = append(keys, r.Key())
	}
	want := []string{"a/x", "a/y", "b/y"}
	if len(keys) != len(want) {
		t.Fatalf("keys = %v, want %v", keys, want)
	}
	for i := range want {
		if keys[i] != want[i] {
			t.Fatalf("keys = %v, want %v", keys, want)
		}
	}
}

func FuzzParseContentRange(f *testing.F) {
	for _, seed := range []string{"0-1000/2501", "0-0/0", "", "1-2", "x-y/z", "0--1/5",
		"9223372036854775807-1/1"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, header string) {
		r, err := ParseContentRange(header)
		if err != nil {
			return
		}
		if r.Offset < 0 || r.Count < 0 || r.Total < 0 {
			t.Errorf("ParseContentRange(%q) = %+v has a negative field", header, r)
		}
	})
}

// FuzzDecodeRepositories checks that any body either decodes into
// repositories that survive a round trip or fails with an error; never a
// panic.
func FuzzDecodeRepositories(f *testing.F) {
	f.Add([]byte(`[{"name":"web","namespace":"acme","size":1,"num_images":2,` +
		`"num_download":3,"total_range":1,"status":true,"tags":["v1"]}]`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"error_code":"x"}`))
	f.Add([]byte(`[{"size":-1},{"size":1e30}]`))
	f.Add([]byte(`[{"name":"\xff\xfe"}]`))
	f.Add([]byte(`[{"name":"a"`))
	f.Fuzz(func(t *testing.T, body []byte) {
		repositories, err := DecodeRepositories(body)
		if err != nil {
			return
		}
		again, err := json.Marshal(repositories)
		if err != nil {
			t.Fatalf("re-encoding decoded repositories: %v", err)
		}
		if _, err := DecodeRepositories(again); err != nil {
			t.Errorf("decoded repositories do not decode again: %v", err)
		}
	})
}

func FuzzDecodeAccessDomains(f *testing.F) {
	f.Add([]byte(`[{"namespace":"acme","repository":"web","access_domain":"partner",` +
		`"permit":"read","deadline":"forever","status":true}]`))
	f.Add([]byte(`[{"deadline":"2018-10-01T16:00:00.000Z"}]`))
	f.Add([]byte(`[{"deadline":7}]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		domains, err := DecodeAccessDomains(body)
		if err != nil {
			return
		}
		for _, d := range domains {
			end, ok, err := ParseDeadline(d.Deadline)
			if err == nil && ok == d.Permanent() {
				t.Errorf("deadline %q: ok=%v but Permanent=%v (end %v)", d.Deadline, ok,
					d.Permanent(), end)
			}
		}
	})
}
