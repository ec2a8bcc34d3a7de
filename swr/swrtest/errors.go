package swrtest

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// ErrorShape is the layout of an error body, which differs between the
// clouds built on the SWR stack.
type ErrorShape int

const (
	// HuaweiCloud is the object {"error_code", "error_msg", "request_id"}.
	HuaweiCloud ErrorShape = iota
	// OpenTelekomCloud is the array [{"errorCode", "errorMessage", "detail"}].
	OpenTelekomCloud
)

// String names the shape.
func (shape ErrorShape) String() string {
	switch shape {
	case HuaweiCloud:
		return "HuaweiCloud"
	case OpenTelekomCloud:
		return "OpenTelekomCloud"
	default:
		return fmt.Sprintf("ErrorShape(%d)", int(shape))
	}
}

// answer is a response built in full before any of it is sent, so that a
// fault can reshape it.
type answer struct {
	status int
	// contentRange is the Content-Range header, "" for none.
	contentRange string
	body         []byte
}

// apiError is an error answer of the API.
type apiError struct {
	status  int
	code    string
	message string
}

// defaultErrors are the code and message of each status when nothing more
// precise is known.
var defaultErrors = map[int]struct{ code, message string }{
	http.StatusBadRequest:          {"SVCSTG.SWR.4000001", "Invalid request"},
	http.StatusUnauthorized:        {"SVCSTG.SWR.4010000", "Authentication failed"},
	http.StatusForbidden:           {"SVCSTG.SWR.4030000", "Insufficient permissions"},
	http.StatusNotFound:            {"SVCSTG.SWR.4040000", "Not found"},
	http.StatusTooManyRequests:     {"APIG.0308", "The request is throttled"},
	http.StatusInternalServerError: {"SVCSTG.SWR.5000000", "Internal error"},
	http.StatusServiceUnavailable:  {"SVCSTG.SWR.5030000", "Service unavailable"},
}

// newAPIError returns an error answer, filling an empty code or message with
// the status's default.
func newAPIError(status int, code, message string) *apiError {
	fallback, ok := defaultErrors[status]
	if !ok {
		fallback.code = fmt.Sprintf("SVCSTG.SWR.%d0000", status)
		fallback.message = http.StatusText(status)
	}

	if code == "" {
		code = fallback.code
	}
	if message == "" {
		message = fallback.message
	}
	return &apiError{status: status, code: code, message: message}
}

// badRequest is the service's answer to a query it does not accept.
func badRequest(format string, args ...any) *apiError {
	return newAPIError(http.StatusBadRequest, "", fmt.Sprintf(format, args...))
}

// huaweiCloudError is Huawei Cloud's error body.
type huaweiCloudError struct {
	Code      string `json:"error_code"`
	Message   string `json:"error_msg"`
	RequestID string `json:"request_id"`
}

// openTelekomCloudError is one element of Open Telekom Cloud's error body,
// which carries no request id of its own: the detail holds it.
type openTelekomCloudError struct {
	Code    string `json:"errorCode"`
	Message string `json:"errorMessage"`
	Detail  string `json:"detail"`
}

func (e *apiError) answer(shape ErrorShape, requestID string) answer {
	var body any = huaweiCloudError{Code: e.code, Message: e.message, RequestID: requestID}
	if shape == OpenTelekomCloud {
		body = []openTelekomCloudError{{
			Code:    e.code,
			Message: e.message,
			Detail:  "request " + requestID,
		}}
	}

	return answer{status: e.status, body: mustMarshal(body)}
}

// mustMarshal encodes values that are plain structs and slices, which cannot
// fail to encode.
func mustMarshal(value any) []byte {
	encoded, err := json.Marshal(value)
	if err != nil {
		panic(fmt.Sprintf("swrtest: encoding an answer: %v", err))
	}
	return encoded
}
