package swr

import (
	"testing"
	"time"
)

func TestParseDeadline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		deadline string
		want     time.Time
		ok       bool
		wantErr  string
	}{
		{deadline: "forever"},
		// The reference's example: 16:00 UTC is midnight in UTC+8, the end of
		// the chosen day there; it is already the instant the share ends.
		{
			deadline: "2018-10-01T16:00:00.000Z",
			want:     time.Date(2018, 10, 1, 16, 0, 0, 0, time.UTC),
			ok:       true,
		},
		{
			deadline: "2026-12-04T00:00:00Z",
			want:     time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC),
			ok:       true,
		},
		// A bare date lasts until midnight UTC after it.
		{deadline: "2026-12-31", want: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), ok: true},
		{
			deadline: "2026-12-04 08:30:00",
			want:     time.Date(2026, 12, 4, 8, 30, 0, 0, time.UTC),
			ok:       true,
		},
		{deadline: "", wantErr: `deadline "" is neither "forever" nor a time`},
		{deadline: "Forever", wantErr: `deadline "Forever" is neither "forever" nor a time`},
		{deadline: "2026-13-01", wantErr: `deadline "2026-13-01" is neither "forever" nor a time`},
	}
	for _, tt := range tests {
		got, ok, err := ParseDeadline(tt.deadline)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("ParseDeadline(%q) error = %v, want %q", tt.deadline, err, tt.wantErr)
			}
			continue
		}
		if err != nil || ok != tt.ok || !got.Equal(tt.want) {
			t.Errorf("ParseDeadline(%q) = %v, %v, %v; want %v, %v", tt.deadline, got, ok, err,
				tt.want, tt.ok)
		}
	}
}

func TestAccessDomainPermanent(t *testing.T) {
	t.Parallel()
	if !(AccessDomain{Deadline: "forever"}).Permanent() {
		t.Error("forever is not permanent")
	}
	if (AccessDomain{Deadline: "2026-12-04T00:00:00Z"}).Permanent() {
		t.Error("a dated share is permanent")
	}
}

func TestParseTime(t *testing.T) {
	t.Parallel()
	want := time.Date(2018, 3, 21, 12, 22, 37, 0, time.UTC)
	for _, s := range []string{
		"2018-03-21T12:22:37Z", "2018-03-21T12:22:37.000Z", "2018-03-21T12:22:37",
		"2018-03-21 12:22:37", "2018-03-21T20:22:37+08:00",
	} {
		got, err := ParseTime(s)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	if _, err := ParseTime("21/03/2018"); err == nil {
		t.Error("ParseTime accepted 21/03/2018")
	}
}
