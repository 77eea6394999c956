{{/*
Names and labels.
*/}}
{{- define "purplesector.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "purplesector.fullname" -}}
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

{{- define "purplesector.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The roles, in a fixed order. */}}
{{- define "purplesector.roleNames" -}}
api ingest bridge writer
{{- end }}

{{/*
Name of a component's resources: <fullname> for the all-in-one, <fullname>-<role>.
Call with (dict "root" $ "component" "api").
*/}}
{{- define "purplesector.componentName" -}}
{{- $full := include "purplesector.fullname" .root -}}
{{- if eq .component "all-in-one" -}}
{{- $full -}}
{{- else -}}
{{- printf "%s-%s" ($full | trunc 55 | trimSuffix "-") .component -}}
{{- end -}}
{{- end }}

{{- define "purplesector.selectorLabels" -}}
app.kubernetes.io/name: {{ include "purplesector.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "purplesector.labels" -}}
helm.sh/chart: {{ include "purplesector.chart" . }}
{{ include "purplesector.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: purplesector
{{- end }}

{{/* (dict "root" $ "component" "api") */}}
{{- define "purplesector.componentSelectorLabels" -}}
{{ include "purplesector.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "purplesector.componentLabels" -}}
{{ include "purplesector.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "purplesector.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}
{{- end }}

{{- define "purplesector.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "purplesector.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end }}

{{/* The Secret the pods read, or "" when none is configured. */}}
{{- define "purplesector.secretName" -}}
{{- if .Values.secrets.existingSecret -}}
{{- .Values.secrets.existingSecret -}}
{{- else if .Values.secrets.create -}}
{{- printf "%s-secrets" (include "purplesector.fullname" .) -}}
{{- end -}}
{{- end }}

{{/*
Checks that cannot be written in values.schema.json alone; they fail the render with
one line naming the value.
*/}}
{{- define "purplesector.validate" -}}
{{- if and .Values.secrets.create .Values.secrets.existingSecret -}}
{{- fail "secrets: set either secrets.existingSecret or secrets.create, not both" -}}
{{- end -}}
{{- if and .Values.secrets.create (lt (len .Values.secrets.values.sessionSecret) 32) -}}
{{- fail "secrets.values.sessionSecret needs at least 32 characters (openssl rand -hex 32): it keys sign-in sessions and ingest tokens" -}}
{{- end -}}
{{- if eq .Values.mode "split" -}}
{{- if not .Values.kafka.brokers -}}
{{- fail "kafka.brokers is required in split mode (comma-separated HOST:PORT)" -}}
{{- end -}}
{{- if not (include "purplesector.secretName" .) -}}
{{- fail "split mode needs DATABASE_URL: set secrets.existingSecret (or secrets.create with secrets.values.databaseUrl)" -}}
{{- end -}}
{{- if and .Values.secrets.create (not .Values.secrets.values.databaseUrl) -}}
{{- fail "secrets.values.databaseUrl is required when secrets.create is true in split mode" -}}
{{- end -}}
{{- $any := false -}}
{{- range $role := splitList " " (include "purplesector.roleNames" .) -}}
{{- if (get $.Values.roles $role).enabled -}}{{- $any = true -}}{{- end -}}
{{- end -}}
{{- if not $any -}}
{{- fail "split mode: enable at least one of roles.api, roles.ingest, roles.bridge, roles.writer" -}}
{{- end -}}
{{- else -}}
{{- if ne (int .Values.allInOne.replicas) 1 -}}
{{- fail "allInOne.replicas must be 1 (SQLite has a single writer); use mode: split to scale out" -}}
{{- end -}}
{{- if and .Values.allInOne.databaseUrlFromSecret (not (include "purplesector.secretName" .)) -}}
{{- fail "allInOne.databaseUrlFromSecret needs secrets.existingSecret or secrets.create" -}}
{{- end -}}
{{- end -}}
{{- end }}

{{/*
purplesector.toml from .Values.config: scalars first, then one [table] per map,
sorted, so the file is stable. Integral numbers print as integers (Helm reads every
YAML number as a float).
*/}}
{{- define "purplesector.toml.value" -}}
{{- $v := . -}}
{{- if kindIs "string" $v -}}
{{- toJson $v -}}
{{- else if kindIs "bool" $v -}}
{{- ternary "true" "false" $v -}}
{{- else if or (kindIs "float64" $v) (kindIs "float32" $v) -}}
{{- if eq (float64 (int64 $v)) (float64 $v) -}}{{- int64 $v -}}{{- else -}}{{- $v -}}{{- end -}}
{{- else if or (kindIs "int" $v) (kindIs "int64" $v) (kindIs "int32" $v) (kindIs "uint64" $v) -}}
{{- $v -}}
{{- else if kindIs "slice" $v -}}
[{{ range $i, $e := $v }}{{ if $i }}, {{ end }}{{ include "purplesector.toml.value" $e }}{{ end }}]
{{- else -}}
{{- fail (printf "config: unsupported value %v (%s)" $v (kindOf $v)) -}}
{{- end -}}
{{- end }}

{{/* (dict "prefix" "" "map" .Values.config) */}}
{{- define "purplesector.toml.table" -}}
{{- $prefix := .prefix -}}
{{- $m := .map -}}
{{- range $k := keys $m | sortAlpha }}
{{- $v := get $m $k }}
{{- if and (not (kindIs "map" $v)) (not (kindIs "invalid" $v)) }}
{{ $k }} = {{ include "purplesector.toml.value" $v }}
{{- end }}
{{- end }}
{{- range $k := keys $m | sortAlpha }}
{{- $v := get $m $k }}
{{- if kindIs "map" $v }}
{{- $name := ternary $k (printf "%s.%s" $prefix $k) (eq $prefix "") }}

[{{ $name }}]
{{- include "purplesector.toml.table" (dict "prefix" $name "map" $v) }}
{{- end }}
{{- end }}
{{- end }}

{{- define "purplesector.configToml" -}}
# purplesector.toml rendered by the Helm chart from .Values.config.
{{- include "purplesector.toml.table" (dict "prefix" "" "map" .Values.config) }}
{{- end }}

{{/*
A secret-backed environment variable: (dict "root" $ "name" "DATABASE_URL" "key" "databaseUrl" "optional" true),
from the chart's Secret or from (dict ... "secret" NAME).
*/}}
{{- define "purplesector.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ .secret | default (include "purplesector.secretName" .root) }}
      key: {{ get .root.Values.secrets.keys .key }}
      optional: {{ .optional }}
{{- end }}

{{/*
Environment of every purplesector container:
(dict "root" $ "component" "api" "extraEnv" list "kafkaSecret" "role-secret-or-empty").
*/}}
{{- define "purplesector.env" -}}
{{- $root := .root -}}
{{- $split := eq $root.Values.mode "split" -}}
{{- $secret := include "purplesector.secretName" $root -}}
- name: PURPLESECTOR__SERVER__ADDR
  value: "0.0.0.0:8080"
- name: PURPLESECTOR__STORAGE__DATA_DIR
  value: /var/lib/purplesector
- name: PURPLESECTOR__LOG__LEVEL
  value: {{ $root.Values.log.level | quote }}
- name: PURPLESECTOR__LOG__FORMAT
  value: {{ $root.Values.log.format | quote }}
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: POD_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
{{- if $split }}
- name: KAFKA_BROKERS
  value: {{ $root.Values.kafka.brokers | quote }}
- name: PURPLESECTOR__KAFKA__SECURITY_PROTOCOL
  value: {{ $root.Values.kafka.securityProtocol | quote }}
- name: PURPLESECTOR__KAFKA__SASL_MECHANISM
  value: {{ $root.Values.kafka.saslMechanism | quote }}
- name: PURPLESECTOR__KAFKA__CONSUMER_GROUP_PREFIX
  value: {{ $root.Values.kafka.consumerGroupPrefix | quote }}
- name: PURPLESECTOR__KAFKA__TOPIC_PREFIX
  value: {{ $root.Values.kafka.topicPrefix | quote }}
{{- end }}
{{- if $root.Values.openai.baseUrl }}
- name: OPENAI_BASE_URL
  value: {{ $root.Values.openai.baseUrl | quote }}
{{- end }}
{{- if $secret }}
{{- if or $split $root.Values.allInOne.databaseUrlFromSecret }}
{{ include "purplesector.secretEnv" (dict "root" $root "name" "DATABASE_URL" "key" "databaseUrl" "optional" false) }}
{{- end }}
{{ include "purplesector.secretEnv" (dict "root" $root "name" "OPENAI_API_KEY" "key" "openaiApiKey" "optional" true) }}
{{- if $split }}
{{- if not .kafkaSecret }}
{{ include "purplesector.secretEnv" (dict "root" $root "name" "PURPLESECTOR__KAFKA__SASL_USERNAME" "key" "kafkaSaslUsername" "optional" true) }}
{{ include "purplesector.secretEnv" (dict "root" $root "name" "PURPLESECTOR__KAFKA__SASL_PASSWORD" "key" "kafkaSaslPassword" "optional" true) }}
{{- end }}
{{- end }}
{{- end }}
{{- /* Accounts mode (the pods bind 0.0.0.0): the key of session cookies, CSRF and ingest
     tokens, the same in every pod; from the Secret, or the one the chart generated. */}}
{{- if $secret }}
{{ include "purplesector.secretEnv" (dict "root" $root "name" "PURPLESECTOR__AUTH__SESSION_SECRET" "key" "sessionSecret" "optional" false) }}
{{- else }}
- name: PURPLESECTOR__AUTH__SESSION_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ include "purplesector.fullname" $root }}-session
      key: SESSION_SECRET
{{- end }}
- name: PURPLESECTOR__SERVER__BEHIND_PROXY
  value: {{ $root.Values.ingress.enabled | quote }}
{{- if and $split .kafkaSecret }}
{{ include "purplesector.secretEnv" (dict "root" $root "secret" .kafkaSecret "name" "PURPLESECTOR__KAFKA__SASL_USERNAME" "key" "kafkaSaslUsername" "optional" false) }}
{{ include "purplesector.secretEnv" (dict "root" $root "secret" .kafkaSecret "name" "PURPLESECTOR__KAFKA__SASL_PASSWORD" "key" "kafkaSaslPassword" "optional" false) }}
{{- end }}
{{- with $root.Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- with .extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Volume mounts of every purplesector container. */}}
{{- define "purplesector.volumeMounts" -}}
- name: config
  mountPath: /etc/purplesector
  readOnly: true
- name: tmp
  mountPath: /tmp
- name: data
  mountPath: /var/lib/purplesector
{{- with .Values.extraVolumeMounts }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
The pod template shared by every Deployment:
(dict "root" $ "component" "api" "args" (list ...) "resources" map "extraEnv" list "kafkaSecret" string
      "dataVolume" map "initMigrate" bool)
*/}}
{{- define "purplesector.podTemplate" -}}
{{- $root := .root -}}
{{- $v := $root.Values -}}
metadata:
  labels:
    {{- include "purplesector.componentSelectorLabels" (dict "root" $root "component" .component) | nindent 4 }}
    {{- with $v.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    checksum/config: {{ include "purplesector.configToml" $root | sha256sum }}
    {{- if $v.secrets.create }}
    checksum/secret: {{ toJson $v.secrets.values | sha256sum }}
    {{- end }}
    {{- with $v.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "purplesector.serviceAccountName" $root }}
  automountServiceAccountToken: false
  {{- with $v.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $v.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  terminationGracePeriodSeconds: {{ $v.terminationGracePeriodSeconds }}
  securityContext:
    {{- toYaml $v.podSecurityContext | nindent 4 }}
  {{- if .initMigrate }}
  initContainers:
    - name: migrate
      image: {{ include "purplesector.image" $root }}
      imagePullPolicy: {{ $v.image.pullPolicy }}
      args: ["--config", "/etc/purplesector/purplesector.toml", "migrate"]
      env:
        {{- include "purplesector.env" (dict "root" $root "component" .component "extraEnv" .extraEnv) | nindent 8 }}
      securityContext:
        {{- toYaml $v.securityContext | nindent 8 }}
      resources:
        {{- toYaml $v.migrations.resources | nindent 8 }}
      volumeMounts:
        {{- include "purplesector.volumeMounts" $root | nindent 8 }}
  {{- end }}
  containers:
    - name: purplesector
      image: {{ include "purplesector.image" $root }}
      imagePullPolicy: {{ $v.image.pullPolicy }}
      args:
        {{- toYaml .args | nindent 8 }}
      env:
        {{- include "purplesector.env" (dict "root" $root "component" .component "extraEnv" .extraEnv "kafkaSecret" .kafkaSecret) | nindent 8 }}
      ports:
        - name: http
          containerPort: 8080
          protocol: TCP
      {{- if $v.probes.startup.enabled }}
      startupProbe:
        httpGet:
          path: /healthz
          port: http
        periodSeconds: {{ $v.probes.startup.periodSeconds }}
        failureThreshold: {{ $v.probes.startup.failureThreshold }}
        timeoutSeconds: {{ $v.probes.startup.timeoutSeconds }}
      {{- end }}
      livenessProbe:
        httpGet:
          path: /healthz
          port: http
        periodSeconds: {{ $v.probes.liveness.periodSeconds }}
        failureThreshold: {{ $v.probes.liveness.failureThreshold }}
        timeoutSeconds: {{ $v.probes.liveness.timeoutSeconds }}
      readinessProbe:
        httpGet:
          path: /readyz
          port: http
        periodSeconds: {{ $v.probes.readiness.periodSeconds }}
        failureThreshold: {{ $v.probes.readiness.failureThreshold }}
        timeoutSeconds: {{ $v.probes.readiness.timeoutSeconds }}
      {{- if gt (int $v.preStopSleepSeconds) 0 }}
      lifecycle:
        preStop:
          exec:
            command: ["sleep", {{ $v.preStopSleepSeconds | int | toString | quote }}]
      {{- end }}
      securityContext:
        {{- toYaml $v.securityContext | nindent 8 }}
      resources:
        {{- toYaml .resources | nindent 8 }}
      volumeMounts:
        {{- include "purplesector.volumeMounts" $root | nindent 8 }}
  volumes:
    - name: config
      configMap:
        name: {{ include "purplesector.fullname" $root }}-config
    - name: tmp
      emptyDir:
        sizeLimit: {{ $v.tmpSizeLimit }}
    - name: data
      {{- toYaml .dataVolume | nindent 6 }}
    {{- with $v.extraVolumes }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- with $v.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $v.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $v.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $v.topologySpreadConstraints }}
  topologySpreadConstraints:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
