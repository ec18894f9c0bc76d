// dbgen writes a trivy vulnerability DB (trivy.db + metadata.json, schema 2) from our advisories
// YAML. It uses trivy-db's own packages for bucket names and the write pipeline, so the file has
// exactly the layout that real trivy reads:
//
//	"<os> <release>" / pkg / vulnID          -> Advisory{FixedVersion}            (e.g. "alpine 3.22")
//	"<eco>::<data source name>" / pkg / ID   -> Advisory{Vulnerable/PatchedVersions} (e.g. "npm::GitHub Security Advisory npm")
//	"data-source" / bucket name              -> DataSource{ID, Name, URL}
//	"vulnerability" / vulnID                 -> Vulnerability{Title, Severity, VendorSeverity, CVSS, ...}
//
// Usage: dbgen -advisories advisories.yaml -out DIR   (DIR gets trivy.db, metadata.json, advisories.json)
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/aquasecurity/trivy-db/pkg/db"
	"github.com/aquasecurity/trivy-db/pkg/ecosystem"
	"github.com/aquasecurity/trivy-db/pkg/metadata"
	"github.com/aquasecurity/trivy-db/pkg/types"
	"github.com/aquasecurity/trivy-db/pkg/vulnsrc/bucket"
	"github.com/aquasecurity/trivy-db/pkg/vulnsrc/vulnerability"
	bolt "go.etcd.io/bbolt"
	"gopkg.in/yaml.v3"
)

type cvss struct {
	V3Score  float64 `yaml:"v3score" json:"v3score,omitempty"`
	V3Vector string  `yaml:"v3vector" json:"v3vector,omitempty"`
}

type affected struct {
	Ecosystem  string   `yaml:"ecosystem" json:"ecosystem"`
	Release    string   `yaml:"release" json:"release,omitempty"` // OS release, e.g. "3.20"
	Package    string   `yaml:"package" json:"package"`
	Fixed      string   `yaml:"fixed" json:"fixed,omitempty"`           // OS packages
	Vulnerable []string `yaml:"vulnerable" json:"vulnerable,omitempty"` // language packages
	Patched    []string `yaml:"patched" json:"patched,omitempty"`
}

type advisory struct {
	ID          string            `yaml:"id" json:"id"`
	Title       string            `yaml:"title" json:"title"`
	Description string            `yaml:"description" json:"description"`
	References  []string          `yaml:"references" json:"references,omitempty"`
	Severity    map[string]string `yaml:"severity" json:"severity"`
	CVSS        map[string]cvss   `yaml:"cvss" json:"cvss,omitempty"`
	Affected    []affected        `yaml:"affected" json:"affected"`
}

type file struct {
	Vulnerabilities []advisory `yaml:"vulnerabilities" json:"vulnerabilities"`
}

// The data sources the real DB records for these ecosystems (trivy shows them in DataSource).
var osSources = map[string]types.DataSource{
	"alpine": {ID: vulnerability.Alpine, Name: "Alpine Secdb", URL: "https://secdb.alpinelinux.org/"},
	"debian": {ID: vulnerability.Debian, Name: "Debian Security Tracker", URL: "https://salsa.debian.org/security-tracker-team/security-tracker"},
}

func ghsa(name string) types.DataSource {
	return types.DataSource{ID: vulnerability.GHSA, Name: "GitHub Security Advisory " + name,
		URL: "https://github.com/advisories?query=type%3Areviewed+ecosystem%3A" + name}
}

// bucketFor returns the advisory bucket name, its data source and the package key trivy looks up.
func bucketFor(a affected) (string, types.DataSource, string, error) {
	switch a.Ecosystem {
	case "alpine":
		return bucket.NewAlpine(a.Release).Name(), osSources["alpine"], a.Package, nil
	case "debian":
		return bucket.NewDebian(a.Release).Name(), osSources["debian"], a.Package, nil
	case "npm":
		b, err := bucket.NewNpm(ghsa("npm"))
		if err != nil {
			return "", types.DataSource{}, "", err
		}
		return b.Name(), b.DataSource(), vulnerability.NormalizePkgName(ecosystem.Npm, a.Package), nil
	case "pip":
		b, err := bucket.NewPyPI(ghsa("pip"))
		if err != nil {
			return "", types.DataSource{}, "", err
		}
		return b.Name(), b.DataSource(), vulnerability.NormalizePkgName(ecosystem.Pip, a.Package), nil
	}
	return "", types.DataSource{}, "", fmt.Errorf("unsupported ecosystem %q (want alpine, debian, npm or pip)", a.Ecosystem)
}

func main() {
	in := flag.String("advisories", "", "advisories YAML")
	out := flag.String("out", "", "output directory")
	flag.Parse()
	if *in == "" || *out == "" {
		log.Fatal("usage: dbgen -advisories FILE -out DIR")
	}
	raw, err := os.ReadFile(*in)
	check(err)
	var f file
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true) // a typo in the fixture must fail loudly, not drop an advisory
	check(dec.Decode(&f))

	check(os.MkdirAll(*out, 0o755))
	_ = os.Remove(db.Path(*out))
	check(db.Init(*out))
	dbc := db.Config{}

	// Stage 1: write advisories and per-source details, as trivy-db's vulnerability sources do.
	check(dbc.BatchUpdate(func(tx *bolt.Tx) error {
		for _, v := range f.Vulnerabilities {
			if len(v.Affected) == 0 || len(v.Severity) == 0 {
				return fmt.Errorf("%s: needs affected and severity", v.ID)
			}
			for _, a := range v.Affected {
				bkt, src, pkg, err := bucketFor(a)
				if err != nil {
					return fmt.Errorf("%s: %w", v.ID, err)
				}
				if err := dbc.PutDataSource(tx, bkt, src); err != nil {
					return err
				}
				adv := types.Advisory{FixedVersion: a.Fixed, VulnerableVersions: a.Vulnerable, PatchedVersions: a.Patched}
				if err := dbc.PutAdvisoryDetail(tx, v.ID, pkg, []string{bkt}, adv); err != nil {
					return err
				}
			}
			for src, sevName := range v.Severity {
				sev, err := types.NewSeverity(sevName)
				if err != nil {
					return fmt.Errorf("%s: %w", v.ID, err)
				}
				c := v.CVSS[src]
				detail := types.VulnerabilityDetail{ID: v.ID, Severity: sev, Title: v.Title, Description: v.Description,
					References: v.References, CvssScoreV3: c.V3Score, CvssVectorV3: c.V3Vector}
				if err := dbc.PutVulnerabilityDetail(tx, v.ID, types.SourceID(src), detail); err != nil {
					return err
				}
			}
			if err := dbc.PutVulnerabilityID(tx, v.ID); err != nil {
				return err
			}
		}
		return nil
	}))

	// Stage 2: the same optimize + cleanup that trivy-db's build runs before publishing: copy
	// advisories into their buckets, merge details into "vulnerability", drop the staging buckets.
	vc := vulnerability.New(dbc)
	check(dbc.ForEachVulnerabilityID(func(tx *bolt.Tx, id string) error {
		if err := dbc.SaveAdvisoryDetails(tx, id); err != nil {
			return err
		}
		return dbc.PutVulnerability(tx, id, vc.Normalize(id, vc.GetDetails(id)))
	}))
	check(dbc.DeleteVulnerabilityIDBucket())
	check(dbc.DeleteVulnerabilityDetailBucket())
	check(dbc.DeleteAdvisoryDetailBucket())
	check(db.Close())

	// NextUpdate far ahead and DownloadedAt set: trivy accepts the DB with --skip-db-update and
	// never considers it stale or corrupted.
	now := time.Now().UTC().Truncate(time.Second)
	check(metadata.NewClient(*out).Update(metadata.Metadata{
		Version: db.SchemaVersion, NextUpdate: time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC), UpdatedAt: now, DownloadedAt: now,
	}))

	// The parsed advisories as JSON, so TypeScript tests can read expectations without a YAML parser.
	js, err := json.MarshalIndent(f, "", "  ")
	check(err)
	check(os.WriteFile(filepath.Join(*out, "advisories.json"), js, 0o644))
	fmt.Printf("dbgen: wrote %d advisories to %s\n", len(f.Vulnerabilities), *out)
}

func check(err error) {
	if err != nil {
		log.Fatalf("dbgen: %v", err)
	}
}
