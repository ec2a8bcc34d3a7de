package swrtest

import (
	"crypto/hmac"
	"crypto/subtle"
	"net/http"
	"slices"
	"time"

	"github.com/swr-exporter/swr_exporter/swr"
)

// maxClockSkew is how far X-Sdk-Date may be from the gateway's clock.
const maxClockSkew = 15 * time.Minute

// authFailureCode is the gateway's code for credentials it does not accept.
const authFailureCode = "APIG.0301"

// authFailure is the gateway's refusal of a request. The reason names what
// was wrong, never a secret or the signature the server expected.
func authFailure(reason string) *apiError {
	return newAPIError(http.StatusUnauthorized, authFailureCode,
		"Incorrect IAM authentication information: "+reason)
}

// authenticate checks the request's IAM token or AK/SK signature, and then its
// project, returning the error to answer or nil.
func (s *Server) authenticate(r *http.Request) *apiError {
	if tokens := r.Header.Values(swr.HeaderAuthToken); len(tokens) > 0 {
		account, ok := s.accountByAuthToken(tokens[0])
		if !ok {
			return authFailure("the token is invalid or has expired")
		}
		return checkProject(r, account)
	}

	header := r.Header.Get("Authorization")
	if header == "" {
		return authFailure("the request carries neither a signature nor a token")
	}
	auth, err := swr.ParseAuthorization(header)
	if err != nil {
		return authFailure(err.Error())
	}
	account, ok := s.accountByAccessKey(auth.AccessKey)
	if !ok {
		return authFailure("the access key is unknown")
	}

	if failure := s.checkSignedHeaders(r, auth, account); failure != nil {
		return failure
	}

	expected, err := swr.ComputeSignature(r, auth.SignedHeaders, account.SecretKey)
	if err != nil {
		return authFailure("the request cannot be put in canonical form")
	}
	if !hmac.Equal([]byte(expected), []byte(auth.Signature)) {
		return authFailure("the signature does not match the request")
	}
	return checkProject(r, account)
}

// checkSignedHeaders checks what the signature must cover before it is worth
// computing: a recent date and, for a temporary key, its token. The signing
// guide makes X-Sdk-Date the only header every signature must cover; the
// official SDK signs user-agent, x-project-id and x-sdk-date, not host.
func (s *Server) checkSignedHeaders(r *http.Request, auth swr.Authorization,
	account Account,
) *apiError {
	signed := func(name string) bool { return slices.Contains(auth.SignedHeaders, name) }
	if !signed("x-sdk-date") {
		return authFailure("the signed headers must include x-sdk-date")
	}

	date, err := time.Parse(swr.SdkDateFormat, r.Header.Get(swr.HeaderSdkDate))
	if err != nil {
		return authFailure("X-Sdk-Date is missing or not in the form " + swr.SdkDateFormat)
	}
	if skew := s.clock().Sub(date); skew > maxClockSkew || skew < -maxClockSkew {
		return authFailure("X-Sdk-Date is more than 15 minutes away from the server's time")
	}

	if account.SecurityToken != "" {
		token := r.Header.Get(swr.HeaderSecurityToken)
		if !signed("x-security-token") || !equalSecrets(token, account.SecurityToken) {
			return authFailure("the security token of a temporary access key is " +
				"missing, unsigned or wrong")
		}
	}
	return nil
}

// checkProject refuses a request that does not name the account's project.
func checkProject(r *http.Request, account Account) *apiError {
	if account.ProjectID == "" || r.Header.Get(swr.HeaderProjectID) == account.ProjectID {
		return nil
	}
	return newAPIError(http.StatusForbidden, "",
		"X-Project-Id does not name the project of these credentials")
}

func (s *Server) accountByAuthToken(token string) (Account, bool) {
	for _, account := range s.accounts {
		if account.AuthToken != "" && equalSecrets(token, account.AuthToken) {
			return account, true
		}
	}
	return Account{}, false
}

func (s *Server) accountByAccessKey(accessKey string) (Account, bool) {
	for _, account := range s.accounts {
		if account.AccessKey != "" && account.AccessKey == accessKey {
			return account, true
		}
	}
	return Account{}, false
}

// equalSecrets compares secrets in constant time, as a gateway should.
func equalSecrets(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
