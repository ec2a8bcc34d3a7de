package swr

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

const (
	vectorAccessKey = "AKEXAMPLE0123456789A"
	vectorSecretKey = "example-secret-key"
	vectorDate      = "20261203T120000Z"
	// emptyBodySHA256 is hex(sha256("")), the last line of every canonical
	// request of a GET.
	emptyBodySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)

// TestSignVectors signs the reference requests of the design contract and
// checks every intermediate step, so that a mismatch shows where the
// derivation went wrong, not only that it did.
func TestSignVectors(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name    string
		url     string
		headers map[string]string
		// canonical is the canonical request, line by line:
		// method, URI, query, one line per signed header, a blank line
		// (the header block ends with "\n"), signed header names, body hash.
		canonical []string
		signed    string
		signature string
	}{
		{
			name: "query sorted and plain",
			url: "https://swr-api.ap-southeast-3.myhuaweicloud.com" +
				"/v2/manage/shared-repositories?center=thirdparty&limit=1000&offset=0",
			canonical: []string{
				"GET",
				// The gateway always ends the URI with a slash.
				"/v2/manage/shared-repositories/",
				// Already sorted by name; nothing to escape.
				"center=thirdparty&limit=1000&offset=0",
				"host:swr-api.ap-southeast-3.myhuaweicloud.com",
				"x-sdk-date:20261203T120000Z",
				"",
				"host;x-sdk-date",
				emptyBodySHA256,
			},
			signed:    "host;x-sdk-date",
			signature: "2c38f0dc970e9f5955eed59390315b1d1e25654986d9df18371b8781f9a61d94",
		},
		{
			name: "dollar in path, project ID signed",
			url: "https://swr-api.eu-de.otc.t-systems.com" +
				"/v2/manage/namespaces/acme/repositories/team$web/access-domains",
			headers: map[string]string{HeaderProjectID: "0123456789abcdef0123456789abcdef"},
			canonical: []string{
				"GET",
				// '$' stands for '/' in the repository name and is itself
				// percent-encoded: it is not an unreserved character.
				"/v2/manage/namespaces/acme/repositories/team%24web/access-domains/",
				// No query: an empty line.
				"",
				"host:swr-api.eu-de.otc.t-systems.com",
				// Every X- header set before signing is signed, sorted by name.
				"x-project-id:0123456789abcdef0123456789abcdef",
				"x-sdk-date:20261203T120000Z",
				"",
				"host;x-project-id;x-sdk-date",
				emptyBodySHA256,
			},
			signed:    "host;x-project-id;x-sdk-date",
			signature: "903fde45a7cfe80d67d21f6cc40a64cebb2cddde81ec9a7ef4654d1713ce8af6",
		},
		{
			name: "reserved characters in query, security token",
			url: "https://swr-api.ap-southeast-3.myhuaweicloud.com" +
				"/v2/manage/shared-repositories?name=team%2Fweb+app&center=self",
			headers: map[string]string{HeaderSecurityToken: "tmp-token-example"},
			canonical: []string{
				"GET",
				"/v2/manage/shared-repositories/",
				// Sorted (center before name); the value is decoded first, then
				// '/' becomes %2F and the space %20 (never '+').
				"center=self&name=team%2Fweb%20app",
				"host:swr-api.ap-southeast-3.myhuaweicloud.com",
				"x-sdk-date:20261203T120000Z",
				"x-security-token:tmp-token-example",
				"",
				"host;x-sdk-date;x-security-token",
				emptyBodySHA256,
			},
			signed:    "host;x-sdk-date;x-security-token",
			signature: "19e0698298d6917cfb2e0524ee5e9468f75b050486ffe1c96bfbfb7b9e033192",
		},
	}

	now, err := time.Parse(SdkDateFormat, vectorDate)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := newVectorRequest(t, tt.url, tt.headers)

			if err := Sign(req, vectorAccessKey, vectorSecretKey, now); err != nil {
				t.Fatal(err)
			}

			signed := strings.Split(tt.signed, ";")
			canonical, err := CanonicalRequest(req, signed)
			if err != nil {
				t.Fatal(err)
			}
			if want := strings.Join(tt.canonical, "\n"); canonical != want {
				t.Errorf("canonical request:\n%s\nwant:\n%s", canonical, want)
			}
			wantAuth := "SDK-HMAC-SHA256 Access=" + vectorAccessKey + ", SignedHeaders=" +
				tt.signed + ", Signature=" + tt.signature
			if got := req.Header.Get("Authorization"); got != wantAuth {
				t.Errorf("Authorization:\n%s\nwant:\n%s", got, wantAuth)
			}
			if got := req.Header.Get(HeaderSdkDate); got != vectorDate {
				t.Errorf("X-Sdk-Date = %q, want %q", got, vectorDate)
			}
		})
	}
}

func newVectorRequest(t *testing.T, url string, headers map[string]string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, value := range headers {
		req.Header.Set(name, value)
	}
	return req
}

func TestStringToSign(t *testing.T) {
	t.Parallel()
	// The third line is hex(sha256("GET")), as `printf GET | sha256sum` prints.
	got := StringToSign("GET", vectorDate)
	want := "SDK-HMAC-SHA256\n20261203T120000Z\n" +
		"14e30cd163c732912e048c4c837e15c4e90c062ebb795ab947d57706e2d10dd8"
	if got != want {
		t.Errorf("StringToSign = %q, want %q", got, want)
	}
}

func TestSignedHeaderNames(t *testing.T) {
	t.Parallel()
	header := http.Header{}
	header.Set("Accept", "application/json")
	header.Set(HeaderSdkDate, vectorDate)
	header.Set(HeaderSecurityToken, "t")
	header.Set(HeaderProjectID, "p")

	got := strings.Join(signedHeaderNames(header), ";")
	if want := "host;x-project-id;x-sdk-date;x-security-token"; got != want {
		t.Errorf("signed headers = %q, want %q", got, want)
	}
}

func TestParseAuthorization(t *testing.T) {
	t.Parallel()
	tests := []struct {
		header  string
		want    Authorization
		wantErr string
	}{
		{
			header: "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature=ab12",
			want: Authorization{AccessKey: "AK", SignedHeaders: []string{"host", "x-sdk-date"},
				Signature: "ab12"},
		},
		{header: "Bearer abc", wantErr: "authorization scheme is not SDK-HMAC-SHA256"},
		{header: "", wantErr: "authorization scheme is not SDK-HMAC-SHA256"},
		{
			header:  "SDK-HMAC-SHA256 Access=AK, Signature=ab12",
			wantErr: "authorization lacks Access, SignedHeaders or Signature",
		},
	}
	for _, tt := range tests {
		got, err := ParseAuthorization(tt.header)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("ParseAuthorization(%q) error = %v, want %q", tt.header, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("ParseAuthorization(%q): %v", tt.header, err)
		}
		if got.AccessKey != tt.want.AccessKey || got.Signature != tt.want.Signature ||
			strings.Join(got.SignedHeaders, ";") != strings.Join(tt.want.SignedHeaders, ";") {
			t.Errorf("ParseAuthorization(%q) = %+v, want %+v", tt.header, got, tt.want)
		}
	}
}

func TestEscape(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"AZaz09-_.~":  "AZaz09-_.~",
		"team$web":    "team%24web",
		"a b+c/d":     "a%20b%2Bc%2Fd",
		"é":           "%C3%A9",
		"100%":        "100%25",
		"":            "",
		"k=v&x=y;z,w": "k%3Dv%26x%3Dy%3Bz%2Cw",
	}
	for in, want := range tests {
		if got := escape(in); got != want {
			t.Errorf("escape(%q) = %q, want %q", in, got, want)
		}
	}
}
