{{/*
eventmart-credentials.password: the password kept in the Secret (name) from an earlier install,
or a new random one. Call with (dict "root" $ "name" "kafka").
*/}}
{{- define "eventmart-credentials.password" -}}
{{- $existing := lookup "v1" "Secret" .root.Release.Namespace .name -}}
{{- if and $existing (index $existing.data "password") -}}
{{- index $existing.data "password" | b64dec -}}
{{- else -}}
{{- randAlphaNum 32 -}}
{{- end -}}
{{- end -}}

{{/* Labels and the annotation that keeps a Secret when the release is uninstalled. */}}
{{- define "eventmart-credentials.metadata" -}}
labels:
  app.kubernetes.io/name: {{ .name }}
  app.kubernetes.io/instance: {{ .root.Release.Name }}
  app.kubernetes.io/part-of: eventmart
  app.kubernetes.io/managed-by: {{ .root.Release.Service }}
  helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
annotations:
  helm.sh/resource-policy: keep
{{- end -}}
