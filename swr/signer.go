package swr

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Names of the headers the SWR API authenticates with.
const (
	HeaderSdkDate       = "X-Sdk-Date"
	HeaderSecurityToken = "X-Security-Token"
	HeaderProjectID     = "X-Project-Id"
	HeaderAuthToken     = "X-Auth-Token" //nolint:gosec // G101: a header name, not a token
)

// SignAlgorithm is the only signing scheme the API gateway takes for AK/SK.
const SignAlgorithm = "SDK-HMAC-SHA256"

// SdkDateFormat is the layout of the X-Sdk-Date header, always in UTC.
const SdkDateFormat = "20060102T150405Z"

// Sign signs req with an access key and secret key: it sets X-Sdk-Date from
// now and adds the Authorization header. Every header set on req before the
// call whose name starts with "X-" is signed, and so is the host.
func Sign(req *http.Request, accessKey, secretKey string, now time.Time) error {
	req.Header.Set(HeaderSdkDate, now.UTC().Format(SdkDateFormat))

	signed := signedHeaderNames(req.Header)
	signature, err := ComputeSignature(req, signed, secretKey)
	if err != nil {
		return err
	}

	req.Header.Set("Authorization", fmt.Sprintf("%s Access=%s, SignedHeaders=%s, Signature=%s",
		SignAlgorithm, accessKey, strings.Join(signed, ";"), signature))
	return nil
}

// signedHeaderNames lists, lower-cased and sorted, the headers Sign covers.
func signedHeaderNames(header http.Header) []string {
	names := []string{"host"}
	for name := range header {
		lower := strings.ToLower(name)
		if strings.HasPrefix(lower, "x-") {
			names = append(names, lower)
		}
	}
	slices.Sort(names)
	return names
}

// Authorization is the parsed Authorization header of a signed request.
type Authorization struct {
	AccessKey     string
	SignedHeaders []string
	Signature     string
}

// ParseAuthorization reads an "SDK-HMAC-SHA256 Access=…, SignedHeaders=…,
// Signature=…" header.
func ParseAuthorization(header string) (Authorization, error) {
	scheme, params, found := strings.Cut(header, " ")
	if !found || scheme != SignAlgorithm {
		return Authorization{}, fmt.Errorf("authorization scheme is not %s", SignAlgorithm)
	}

	var auth Authorization
	for param := range strings.SplitSeq(params, ",") {
		key, value, _ := strings.Cut(strings.TrimSpace(param), "=")
		switch key {
		case "Access":
			auth.AccessKey = value
		case "SignedHeaders":
			auth.SignedHeaders = strings.Split(value, ";")
		case "Signature":
			auth.Signature = value
		}
	}
	if auth.AccessKey == "" || len(auth.SignedHeaders) == 0 || auth.Signature == "" {
		return Authorization{}, errors.New("authorization lacks Access, SignedHeaders or Signature")
	}
	return auth, nil
}

// ComputeSignature returns the hex signature of req over the given signed
// headers (lower-case names), as the API gateway computes it: the HMAC-SHA256,
// keyed with the secret key, of the string to sign. The request's body, if
// any, is read and put back.
func ComputeSignature(req *http.Request, signedHeaders []string, secretKey string) (string, error) {
	canonical, err := CanonicalRequest(req, signedHeaders)
	if err != nil {
		return "", err
	}

	mac := hmac.New(sha256.New, []byte(secretKey))
	mac.Write([]byte(StringToSign(canonical, req.Header.Get(HeaderSdkDate))))
	return hex.EncodeToString(mac.Sum(nil)), nil
}

// StringToSign is the text the signature is computed over.
func StringToSign(canonicalRequest, sdkDate string) string {
	return SignAlgorithm + "\n" + sdkDate + "\n" + hexSHA256([]byte(canonicalRequest))
}

// CanonicalRequest builds the canonical form of req that the signature
// covers: method, URI, query, headers, signed header names and body hash,
// one per line.
func CanonicalRequest(req *http.Request, signedHeaders []string) (string, error) {
	body, err := readBody(req)
	if err != nil {
		return "", fmt.Errorf("reading request body to sign: %w", err)
	}

	var b strings.Builder
	b.WriteString(req.Method + "\n")
	b.WriteString(canonicalURI(req.URL.Path) + "\n")
	b.WriteString(canonicalQuery(req.URL.Query()) + "\n")
	for _, name := range signedHeaders {
		b.WriteString(name + ":" + strings.TrimSpace(headerValue(req, name)) + "\n")
	}
	b.WriteString("\n" + strings.Join(signedHeaders, ";") + "\n")
	b.WriteString(hexSHA256(body))
	return b.String(), nil
}

// headerValue returns a header as the server will see it; Go keeps the host
// outside the header map.
func headerValue(req *http.Request, lowerName string) string {
	if lowerName != "host" {
		return req.Header.Get(lowerName)
	}
	if req.Host != "" {
		return req.Host
	}
	return req.URL.Host
}

// canonicalURI escapes every segment of the decoded path and ends it with a
// slash, which the gateway adds whether or not the request had one.
func canonicalURI(path string) string {
	segments := strings.Split(path, "/")
	for i, segment := range segments {
		segments[i] = escape(segment)
	}
	uri := strings.Join(segments, "/")
	if !strings.HasSuffix(uri, "/") {
		uri += "/"
	}
	return uri
}

// canonicalQuery sorts the parameters by name, then value, and escapes both.
func canonicalQuery(query url.Values) string {
	keys := make([]string, 0, len(query))
	for key := range query {
		keys = append(keys, key)
	}
	slices.Sort(keys)

	pairs := make([]string, 0, len(keys))
	for _, key := range keys {
		values := slices.Clone(query[key])
		slices.Sort(values)
		for _, value := range values {
			pairs = append(pairs, escape(key)+"="+escape(value))
		}
	}
	return strings.Join(pairs, "&")
}

// escape percent-encodes every byte but the unreserved characters of RFC
// 3986, with upper-case hex digits. Unlike url.PathEscape it encodes '$',
// and unlike url.QueryEscape it writes a space as %20.
func escape(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&0x0f])
	}
	return b.String()
}

func isUnreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// readBody returns the request body and leaves an unread copy in its place.
func readBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	return body, nil
}

func hexSHA256(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
