package swr

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// maxErrorBodyBytes bounds how much of an error answer is read: error bodies
// are a few hundred bytes, and a gateway's HTML page needs no more to be told
// apart from one.
const maxErrorBodyBytes = 64 << 10

// ErrBodyTooLarge is returned, wrapped, when an answer exceeds the client's
// size limit.
var ErrBodyTooLarge = errors.New("response body exceeds the size limit")

// ErrorResponse is an answer of the API with a status other than 2xx.
type ErrorResponse struct {
	// Method and URL name the request; the URL holds no credentials.
	Method string
	URL    string
	// StatusCode is the HTTP status of the answer.
	StatusCode int
	// Code and Message are the API's error_code and error_msg (errorCode and
	// errorMessage in Open Telekom Cloud's shape), empty when the body had
	// none.
	Code    string
	Message string
	// RequestID is the gateway's X-Request-Id, for the cloud's support.
	RequestID string
}

// Error reads like "GET /v2/…: 401 SVCSTG.SWR.4010000: token expired".
func (e *ErrorResponse) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %d", e.Method, e.URL, e.StatusCode)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	} else if e.Code == "" {
		b.WriteString(" " + http.StatusText(e.StatusCode))
	}
	if e.RequestID != "" {
		b.WriteString(" (request id " + e.RequestID + ")")
	}
	return b.String()
}

// Temporary reports whether the same request may succeed if sent again.
func (e *ErrorResponse) Temporary() bool {
	switch e.StatusCode {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// RateLimitError is an ErrorResponse that throttles the caller: a 429, or
// any answer with the gateway's throttling code.
type RateLimitError struct {
	*ErrorResponse
	// RetryAfter is how long the server asked the caller to wait; zero when
	// it did not say.
	RetryAfter time.Duration
}

// Unwrap gives errors.As access to the ErrorResponse.
func (e *RateLimitError) Unwrap() error {
	return e.ErrorResponse
}

// throttlingCode is the API gateway's error code for a throttled request.
const throttlingCode = "APIG.0308"

// CheckResponse returns nil for a 2xx answer and otherwise an *ErrorResponse
// (a *RateLimitError when throttled) carrying the API's error code and
// message from either body shape. It reads, but does not close, the body.
func CheckResponse(resp *http.Response) error {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}

	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBodyBytes))
	errResp := &ErrorResponse{
		Method:     resp.Request.Method,
		URL:        SanitizeURL(resp.Request.URL),
		StatusCode: resp.StatusCode,
		RequestID:  resp.Header.Get("X-Request-Id"),
	}
	errResp.Code, errResp.Message = parseErrorBody(body)

	if resp.StatusCode == http.StatusTooManyRequests || errResp.Code == throttlingCode {
		return &RateLimitError{
			ErrorResponse: errResp,
			RetryAfter:    parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()),
		}
	}
	return errResp
}

// huaweiError is Huawei Cloud's error object; errors[] carries the older
// field names and is read when the top-level ones are missing.
type huaweiError struct {
	ErrorCode string     `json:"error_code"`
	ErrorMsg  string     `json:"error_msg"`
	Errors    []otcError `json:"errors"`
}

// otcError is one element of Open Telekom Cloud's error array.
type otcError struct {
	ErrorCode    string `json:"errorCode"`
	ErrorMessage string `json:"errorMessage"`
	Detail       string `json:"detail"`
}

// parseErrorBody extracts the code and message of an error body. A body in
// neither shape is not dropped: its start becomes the message, so an HTML
// page from a proxy still says what it is.
func parseErrorBody(body []byte) (code, message string) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return "", ""
	}

	var object huaweiError
	if json.Unmarshal(body, &object) == nil {
		if object.ErrorCode != "" || object.ErrorMsg != "" {
			return object.ErrorCode, object.ErrorMsg
		}
		if len(object.Errors) > 0 {
			return object.Errors[0].code()
		}
	}

	var array []otcError
	if json.Unmarshal(body, &array) == nil && len(array) > 0 {
		return array[0].code()
	}

	return "", "unrecognised error body: " + snippet(body, 120)
}

func (e otcError) code() (code, message string) {
	message = e.ErrorMessage
	if e.Detail != "" && e.Detail != message {
		message = strings.TrimPrefix(message+" ("+e.Detail+")", " ")
	}
	return e.ErrorCode, message
}

// snippet returns at most n runes of body, printable and on one line.
func snippet(body []byte, n int) string {
	var b strings.Builder
	for i := 0; len(body) > 0 && i < n; i++ {
		r, size := utf8.DecodeRune(body)
		body = body[size:]
		if !unicode.IsPrint(r) {
			r = ' '
		}
		b.WriteRune(r)
	}
	if len(body) > 0 {
		b.WriteString("…")
	}
	return b.String()
}

// parseRetryAfter reads a Retry-After header in seconds or as an HTTP date.
func parseRetryAfter(value string, now time.Time) time.Duration {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0
	}
	if seconds, err := strconv.ParseInt(value, 10, 64); err == nil {
		if seconds <= 0 {
			return 0
		}
		return time.Duration(min(seconds, int64(24*time.Hour/time.Second))) * time.Second
	}
	if at, err := http.ParseTime(value); err == nil && at.After(now) {
		return at.Sub(now)
	}
	return 0
}

// sensitiveQueryWords mark query parameters that could carry a credential;
// the SWR calls need none, but an endpoint URL from a config file might.
var sensitiveQueryWords = []string{"token", "key", "secret", "signature", "password", "auth"}

// SanitizeURL renders a request URL for an error message or a log line: the
// user information is dropped and any query value that looks like a
// credential is redacted.
func SanitizeURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	clean := *u
	clean.User = nil

	query := clean.Query()
	redacted := false
	for name := range query {
		lower := strings.ToLower(name)
		for _, word := range sensitiveQueryWords {
			if strings.Contains(lower, word) {
				query[name] = []string{"REDACTED"}
				redacted = true
			}
		}
	}
	if redacted {
		clean.RawQuery = query.Encode()
	}
	return clean.String()
}
