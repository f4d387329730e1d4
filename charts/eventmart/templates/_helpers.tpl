{{/*
eventmart.service: one service's settings, `defaults` merged under its own entry, as YAML.
Call with (dict "root" $ "name" $name) and read it back with fromYaml.
*/}}
{{- define "eventmart.service" -}}
{{- $own := index .root.Values.services .name -}}
{{- $svc := mergeOverwrite (deepCopy .root.Values.defaults) (deepCopy $own) -}}
{{- $_ := set $svc "name" .name -}}
{{- toYaml $svc -}}
{{- end -}}

{{/* Labels that select one service's pods. */}}
{{- define "eventmart.selectorLabels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{/* The recommended labels, on every object of one service. */}}
{{- define "eventmart.labels" -}}
{{ include "eventmart.selectorLabels" . }}
app.kubernetes.io/component: {{ .component | default "service" }}
app.kubernetes.io/part-of: eventmart
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end -}}

{{/* Labels for objects that belong to the release rather than to one service. */}}
{{- define "eventmart.releaseLabels" -}}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: eventmart
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "eventmart.image" -}}
{{- $tag := .svc.image.tag | default .root.Values.image.tag -}}
{{- printf "%s:%s" .svc.image.repository $tag -}}
{{- end -}}

{{/* Scaled by an HPA or by KEDA: then the Deployment leaves replicas to them. */}}
{{- define "eventmart.autoscaled" -}}
{{- if or .autoscaling.enabled .keda.enabled }}true{{ end -}}
{{- end -}}

{{/* The most replicas the service may run with: above one it gets a PodDisruptionBudget. */}}
{{- define "eventmart.maxReplicas" -}}
{{- if .keda.enabled }}{{ .keda.maxReplicas }}
{{- else if .autoscaling.enabled }}{{ .autoscaling.maxReplicas }}
{{- else }}{{ .replicas }}{{ end -}}
{{- end -}}
