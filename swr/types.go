// Package swr is a client for the parts of the SWR (Software Repository for
// Container) API that describe shared image repositories: the repositories an
// account shares with others, the ones others share with it, and the accounts
// each of its own repositories is shared with.
//
// The package knows nothing of Prometheus. Authentication is an
// http.RoundTripper (see Transport), so the Client itself speaks plain HTTP
// through whatever *http.Client it is given.
package swr

import (
	"fmt"
	"strings"
	"time"
)

// SharedBy selects one of the two lists of shared repositories.
type SharedBy string

const (
	// Self is the list of repositories the account shares with others.
	Self SharedBy = "self"
	// ThirdParty is the list of repositories other accounts share with it.
	ThirdParty SharedBy = "thirdparty"
)

// Valid reports whether s names one of the two lists.
func (s SharedBy) Valid() bool {
	return s == Self || s == ThirdParty
}

// Repository is one entry of the shared-repositories list, as the API spells
// it. Times are kept as the strings the API sent; see ParseTime.
type Repository struct {
	Name         string   `json:"name"`
	Category     string   `json:"category"`
	Description  string   `json:"description"`
	Path         string   `json:"path"`
	InternalPath string   `json:"internal_path"`
	DomainName   string   `json:"domain_name"`
	Namespace    string   `json:"namespace"`
	URL          string   `json:"url"`
	Logo         string   `json:"logo"`
	CreatedAt    string   `json:"created_at"`
	UpdatedAt    string   `json:"updated_at"`
	Size         int64    `json:"size"`
	NumImages    int64    `json:"num_images"`
	NumDownload  int64    `json:"num_download"`
	TotalRange   int64    `json:"total_range"`
	IsPublic     bool     `json:"is_public"`
	Status       bool     `json:"status"`
	Tags         []string `json:"tags"`
}

// Key identifies a repository within one list: its namespace and name.
func (r Repository) Key() string {
	return r.Namespace + "/" + r.Name
}

// AccessDomain is one share of a repository with another account, as
// returned by the access-domains call.
type AccessDomain struct {
	Namespace    string `json:"namespace"`
	Repository   string `json:"repository"`
	AccessDomain string `json:"access_domain"`
	Permit       string `json:"permit"`
	Deadline     string `json:"deadline"`
	Description  string `json:"description"`
	CreatorID    string `json:"creator_id"`
	CreatorName  string `json:"creator_name"`
	Created      string `json:"created"`
	Updated      string `json:"updated"`
	Status       bool   `json:"status"`
}

// DeadlineForever is the deadline of a share that never ends.
const DeadlineForever = "forever"

// Permanent reports whether the share never ends.
func (d AccessDomain) Permanent() bool {
	return d.Deadline == DeadlineForever
}

// Expiry returns the instant the share ends. For a permanent share it returns
// the zero time and ok false.
func (d AccessDomain) Expiry() (end time.Time, ok bool, err error) {
	return ParseDeadline(d.Deadline)
}

// ParseDeadline turns a share's deadline into the instant the share ends.
//
// The API sends "forever" for a permanent share (ok is false), or a UTC time
// such as 2018-10-01T16:00:00.000Z, which is already that instant: a share
// lasts until midnight after the chosen day in the creator's zone, and the
// API reports that midnight. A bare date is read the same way in UTC, so
// 2018-10-01 ends at 2018-10-02T00:00:00Z.
func ParseDeadline(deadline string) (end time.Time, ok bool, err error) {
	deadline = strings.TrimSpace(deadline)
	if deadline == DeadlineForever {
		return time.Time{}, false, nil
	}

	if day, err := time.Parse(time.DateOnly, deadline); err == nil {
		return day.AddDate(0, 0, 1), true, nil
	}

	end, err = ParseTime(deadline)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("deadline %q is neither %q nor a time", deadline,
			DeadlineForever)
	}
	return end, true, nil
}

// timeLayouts are the spellings of a time seen in SWR answers, all UTC.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04:05Z07:00",
}

// ParseTime reads a time as the SWR API writes it. A time without a zone is
// UTC, as the API reference states for every time it returns.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("time %q is not in a known SWR format", s)
}
