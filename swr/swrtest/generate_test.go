package swrtest

import (
	"reflect"
	"testing"
)

func TestGenerate(t *testing.T) {
	t.Parallel()

	tests := []struct {
		self, thirdparty int
		wantShares       int
		wantExpired      int
	}{
		{0, 0, 0, 0},
		{1, 1, 2, 0},
		{10, 10, 6, 2},
		{1000, 500, 446, 100},
	}
	for _, test := range tests {
		data := Generate(test.self, test.thirdparty, demoNow)

		if len(data.Self) != test.self || len(data.ThirdParty) != test.thirdparty {
			t.Errorf("Generate(%d, %d): %d self and %d thirdparty", test.self,
				test.thirdparty, len(data.Self), len(data.ThirdParty))
		}
		if len(data.Shares) != test.wantShares {
			t.Errorf("Generate(%d, %d): %d shares, want %d", test.self, test.thirdparty,
				len(data.Shares), test.wantShares)
		}
		expired := 0
		for _, repo := range data.ThirdParty {
			if !repo.Status {
				expired++
			}
		}
		if expired != test.wantExpired {
			t.Errorf("Generate(%d, %d): %d expired, want %d", test.self, test.thirdparty,
				expired, test.wantExpired)
		}
	}
}

func TestGenerateContent(t *testing.T) {
	t.Parallel()

	data := Generate(100, 100, demoNow)

	if got := data.Self[42].Key(); got != "ns-002/app-00042" {
		t.Errorf("self repository 42 is %s, want ns-002/app-00042", got)
	}
	if got := data.ThirdParty[7].Key(); got != "vendor-007/lib-00007" {
		t.Errorf("thirdparty repository 7 is %s, want vendor-007/lib-00007", got)
	}
	for _, repos := range [][]Repo{data.Self, data.ThirdParty} {
		for _, repo := range repos {
			checkDemoRepo(t, repo, demoNow)
		}
	}

	kinds := make(map[string]int)
	for _, share := range data.Shares {
		kind, err := shareKind(share, demoNow)
		if err != nil {
			t.Error(err)
		}
		kinds[kind]++
	}
	if kinds["permanent"] == 0 || kinds["expired"] == 0 ||
		kinds["within a day"]+kinds["within a week"]+kinds["later"] == 0 {
		t.Errorf("shares by kind %v, want permanent, future and past ones", kinds)
	}

	if !reflect.DeepEqual(data, Generate(100, 100, demoNow)) {
		t.Error("Generate gave two data sets for the same arguments")
	}
}
