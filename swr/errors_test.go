package swr

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func newErrorResponse(t *testing.T, status int, body string, header http.Header) *http.Response {
	t.Helper()
	u, err := url.Parse("https://swr-api.eu-de.otc.t-systems.com/v2/manage/shared-repositories" +
		"?center=self")
	if err != nil {
		t.Fatal(err)
	}
	if header == nil {
		header = http.Header{}
	}
	return &http.Response{
		StatusCode: status,
		Header:     header,
		Body:       io.NopCloser(strings.NewReader(body)),
		Request:    &http.Request{Method: http.MethodGet, URL: u},
	}
}

func TestCheckResponse(t *testing.T) {
	t.Parallel()
	const prefix = "GET https://swr-api.eu-de.otc.t-systems.com" +
		"/v2/manage/shared-repositories?center=self: "

	tests := []struct {
		name      string
		status    int
		body      string
		header    http.Header
		want      string
		rateLimit bool
		retry     time.Duration
	}{
		{
			name:   "huawei cloud object",
			status: 401,
			body:   `{"error_code":"SVCSTG.SWR.4010000","error_msg":"token expired"}`,
			header: http.Header{"X-Request-Id": {"7f3a"}},
			want:   prefix + "401 SVCSTG.SWR.4010000: token expired (request id 7f3a)",
		},
		{
			name:   "huawei cloud object with only errors[]",
			status: 403,
			body: `{"errors":[{"errorCode":"SVCSTG.SWR.4030170",` +
				`"errorMessage":"Insufficient permissions","detail":""}]}`,
			want: prefix + "403 SVCSTG.SWR.4030170: Insufficient permissions",
		},
		{
			name:   "open telekom cloud array",
			status: 404,
			body: `[{"errorCode":"SVCSTG.SWR.4040002","errorMessage":"Repository not found",` +
				`"detail":"acme/web"}]`,
			want: prefix + "404 SVCSTG.SWR.4040002: Repository not found (acme/web)",
		},
		{
			name:      "gateway throttling with Retry-After",
			status:    429,
			body:      `{"error_code":"APIG.0308","error_msg":"The request is throttled"}`,
			header:    http.Header{"Retry-After": {"3"}},
			want:      prefix + "429 APIG.0308: The request is throttled",
			rateLimit: true,
			retry:     3 * time.Second,
		},
		{
			name:      "throttling code under another status",
			status:    403,
			body:      `{"error_code":"APIG.0308","error_msg":"throttled"}`,
			want:      prefix + "403 APIG.0308: throttled",
			rateLimit: true,
		},
		{
			name:   "empty body",
			status: 503,
			want:   prefix + "503 Service Unavailable",
		},
		{
			name:   "html from a proxy",
			status: 502,
			body:   "<html>\n<body>Bad gateway</body></html>",
			want:   prefix + "502: unrecognised error body: <html> <body>Bad gateway</body></html>",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := CheckResponse(newErrorResponse(t, tt.status, tt.body, tt.header))

			if err == nil || err.Error() != tt.want {
				t.Fatalf("error = %v\nwant %s", err, tt.want)
			}
			var errResp *ErrorResponse
			if !errors.As(err, &errResp) || errResp.StatusCode != tt.status {
				t.Errorf("errors.As(*ErrorResponse) failed or wrong status: %#v", err)
			}
			var rateLimit *RateLimitError
			if errors.As(err, &rateLimit) != tt.rateLimit {
				t.Errorf("RateLimitError = %v, want %v", !tt.rateLimit, tt.rateLimit)
			}
			if tt.rateLimit && rateLimit.RetryAfter != tt.retry {
				t.Errorf("RetryAfter = %v, want %v", rateLimit.RetryAfter, tt.retry)
			}
		})
	}
}

func TestCheckResponseSuccess(t *testing.T) {
	t.Parallel()
	if err := CheckResponse(newErrorResponse(t, 200, "[]", nil)); err != nil {
		t.Errorf("CheckResponse(200) = %v", err)
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	tests := map[string]time.Duration{
		"":                              0,
		"7":                             7 * time.Second,
		"0":                             0,
		"-3":                            0,
		"soon":                          0,
		"Thu, 03 Dec 2026 12:00:30 GMT": 30 * time.Second,
		"Thu, 03 Dec 2026 11:00:00 GMT": 0,
		"99999999999":                   24 * time.Hour,
	}
	for value, want := range tests {
		if got := parseRetryAfter(value, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", value, got, want)
		}
	}
}

func TestSanitizeURL(t *testing.T) {
	t.Parallel()
	const base = "https://swr.example/v2/x"
	tests := map[string]string{
		"https://user:pw@swr.example/v2/x?center=self": base + "?center=self",
		base + "?access_key=AK&a=1":                    base + "?a=1&access_key=REDACTED",
		base + "?X-Auth-Token=abc":                     base + "?X-Auth-Token=REDACTED",
	}
	for raw, want := range tests {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if got := SanitizeURL(u); got != want {
			t.Errorf("SanitizeURL(%q) = %q, want %q", raw, got, want)
		}
	}
}

// FuzzParseErrorBody checks that no error body, however broken, panics or
// produces a message that is not one printable line.
func FuzzParseErrorBody(f *testing.F) {
	f.Add([]byte(`{"error_code":"SVCSTG.SWR.4010000","error_msg":"token expired"}`))
	f.Add([]byte(`[{"errorCode":"SVCSTG.SWR.4040002","errorMessage":"x","detail":"y"}]`))
	f.Add([]byte(`{"errors":[{"errorCode":"A","errorMessage":"B"}]}`))
	f.Add([]byte("<html>\x00\xff</html>"))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		_, message := parseErrorBody(body)
		if strings.HasPrefix(message, "unrecognised error body: ") &&
			strings.ContainsAny(message, "\n\r\x00") {
			t.Errorf("message %q is not one printable line", message)
		}
	})
}
