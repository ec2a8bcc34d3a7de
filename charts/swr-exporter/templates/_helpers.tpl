{{/*
The chart's name, for the app.kubernetes.io/name label.
*/}}
{{- define "swr-exporter.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The name of the resources: the release's name when it already holds the
chart's, else both, cut to the 63 characters a label value allows.
*/}}
{{- define "swr-exporter.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Labels that select the exporter's pods; they never change after install.
*/}}
{{- define "swr-exporter.selectorLabels" -}}
app.kubernetes.io/name: {{ include "swr-exporter.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Labels of every resource.
*/}}
{{- define "swr-exporter.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "swr-exporter.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
The ServiceAccount the pods run as.
*/}}
{{- define "swr-exporter.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "swr-exporter.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The container image: by digest when one is given, else by tag.
*/}}
{{- define "swr-exporter.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/*
The Secret the credential files come from.
*/}}
{{- define "swr-exporter.secretName" -}}
{{- default (include "swr-exporter.fullname" .) .Values.credentials.existingSecret }}
{{- end }}

{{/*
Where the exporter finds its configuration, and the credential files below it.
*/}}
{{- define "swr-exporter.configDir" -}}
/etc/swr_exporter
{{- end }}

{{/*
The credentials of one account (the argument), as a YAML list: for each, the
key in credentials.create (value), the key of the exporter's configuration
(configKey), the file below the secrets directory (path) and the key in the
Secret (secretKey). The account's auth picks which credentials it needs.
*/}}
{{- define "swr-exporter.credentialFiles" -}}
{{- $auth := default "accessKey" .auth }}
{{- $needs := dict
  "accessKey" (list "accessKey" "secretKey")
  "temporaryAccessKey" (list "accessKey" "secretKey" "securityToken")
  "authToken" (list "authToken") }}
{{- $configKeys := dict
  "accessKey" "access_key_file"
  "secretKey" "secret_key_file"
  "securityToken" "security_token_file"
  "authToken" "auth_token_file" }}
{{- $secretKeys := default dict .secretKeys }}
{{- range $value := get $needs $auth }}
{{- $file := get $configKeys $value | trimSuffix "_file" }}
- value: {{ $value }}
  configKey: {{ get $configKeys $value }}
  path: {{ printf "%s/%s" $.name $file }}
  secretKey: {{ get $secretKeys $value | default (printf "%s-%s" $.name (kebabcase $value)) }}
{{- end }}
{{- end }}

{{/*
The exporter's configuration file.
*/}}
{{- define "swr-exporter.config" -}}
{{- $secretsDir := printf "%s/secrets" (include "swr-exporter.configDir" .) }}
{{- with .Values.config.defaults }}
defaults:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.config.accounts }}
accounts:
{{- range $account := . }}
  - name: {{ $account.name | quote }}
    {{- with $account.region }}
    region: {{ . | quote }}
    {{- end }}
    {{- with $account.endpoint }}
    endpoint: {{ . | quote }}
    {{- end }}
    {{- with $account.projectId }}
    project_id: {{ . | quote }}
    {{- end }}
    {{- range include "swr-exporter.credentialFiles" $account | fromYamlArray }}
    {{ .configKey }}: {{ printf "%s/%s" $secretsDir .path }}
    {{- end }}
    {{- with omit $account "name" "region" "endpoint" "projectId" "auth" "secretKeys" }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end }}
{{- else }}
accounts: []
{{- end }}
{{- end }}

{{/*
Checks of the values that a schema cannot express; fails the rendering with
a message that names the value to fix.
*/}}
{{- define "swr-exporter.validate" -}}
{{- $names := list }}
{{- $chartKeys := list "access_key" "access_key_file" "secret_key" "secret_key_file"
  "security_token_file" "auth_token_file" }}
{{- range $i, $account := .Values.config.accounts }}
{{- $where := printf "config.accounts[%d]" $i }}
{{- if not (regexMatch "^[A-Za-z0-9_-]+$" (toString (default "" $account.name))) }}
{{- fail (printf "%s.name: required, and only letters, digits, '_' and '-'" $where) }}
{{- end }}
{{- $where = printf "config.accounts[%d] (%s)" $i $account.name }}
{{- if has $account.name $names }}
{{- fail (printf "%s.name: used by an earlier account too" $where) }}
{{- end }}
{{- $names = append $names $account.name }}
{{- if eq (empty $account.region) (empty $account.endpoint) }}
{{- fail (printf "%s: set region or endpoint, one of the two" $where) }}
{{- end }}
{{- if not (has (default "accessKey" $account.auth) (list "accessKey" "temporaryAccessKey" "authToken")) }}
{{- fail (printf "%s.auth: %q is none of accessKey, temporaryAccessKey, authToken" $where $account.auth) }}
{{- end }}
{{- if hasKey $account "project_id" }}
{{- fail (printf "%s.project_id: spell it projectId" $where) }}
{{- end }}
{{- range $chartKeys }}
{{- if hasKey $account . }}
{{- fail (printf "%s.%s: the chart sets it to a file from the Secret; see credentials" $where .) }}
{{- end }}
{{- end }}
{{- end }}

{{- $create := default dict .Values.credentials.create }}
{{- if and $create .Values.credentials.existingSecret }}
{{- fail "credentials: set existingSecret or create, not both" }}
{{- end }}
{{- if and $names (not $create) (not .Values.credentials.existingSecret) }}
{{- fail "credentials: set existingSecret, or create with the keys of every account" }}
{{- end }}
{{- range $name := keys $create | sortAlpha }}
{{- if not (has $name $names) }}
{{- fail (printf "credentials.create.%s: no account of that name in config.accounts" $name) }}
{{- end }}
{{- end }}
{{- if $create }}
{{- range $account := .Values.config.accounts }}
{{- $values := default dict (get $create $account.name) }}
{{- range include "swr-exporter.credentialFiles" $account | fromYamlArray }}
{{- if not (get $values .value) }}
{{- fail (printf "credentials.create.%s.%s: required by the account's auth (%s)" $account.name .value (default "accessKey" $account.auth)) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{- $sm := .Values.serviceMonitor }}
{{- if not (has $sm.mode (list "metrics" "probe")) }}
{{- fail (printf "serviceMonitor.mode: %q is neither metrics nor probe" $sm.mode) }}
{{- end }}
{{- if and $sm.enabled (eq $sm.mode "probe") (not $names) (not $sm.exporterMetrics) }}
{{- fail "serviceMonitor.mode: probe scrapes each account of config.accounts, and there is none" }}
{{- end }}
{{- end }}

{{/*
The settings every endpoint of the ServiceMonitor shares; the argument is
.Values.serviceMonitor.
*/}}
{{- define "swr-exporter.endpointCommon" -}}
interval: {{ .interval }}
scrapeTimeout: {{ .scrapeTimeout }}
honorLabels: {{ .honorLabels }}
{{- with .endpointSettings }}
{{ toYaml . }}
{{- end }}
{{- end }}
