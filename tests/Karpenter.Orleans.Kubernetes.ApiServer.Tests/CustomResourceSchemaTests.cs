using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using static Karpenter.Orleans.Kubernetes.ApiServer.Tests.ApiServerFixture;

namespace Karpenter.Orleans.Kubernetes.ApiServer.Tests;

/// <summary>
/// A CRD's openAPIV3Schema applied as kube-apiserver applies it: unknown fields pruned, defaults
/// filled in, values validated with causes naming the field, non-structural schemas refused.
/// </summary>
public sealed class CustomResourceSchemaTests
{
    private const string Widget = """
        {
          "type": "object",
          "properties": {
            "apiVersion": {"type": "string"}, "kind": {"type": "string"}, "metadata": {"type": "object"},
            "spec": {
              "type": "object",
              "required": ["size"],
              "properties": {
                "size": {"type": "integer", "minimum": 1, "maximum": 10},
                "ratio": {"type": "number", "minimum": 0, "exclusiveMinimum": true},
                "mode": {"type": "string", "enum": ["fast", "slow"], "default": "slow"},
                "name": {"type": "string", "minLength": 2, "maxLength": 5, "pattern": "^[a-z]+$"},
                "note": {"type": "string", "nullable": true},
                "port": {"x-kubernetes-int-or-string": true},
                "tags": {"type": "array", "minItems": 1, "maxItems": 2, "items": {"type": "string", "enum": ["a", "b", "c"]}},
                "limits": {"type": "object", "maxProperties": 2, "additionalProperties": {"type": "integer", "maximum": 100}},
                "window": {"type": "object", "default": {}, "properties": {"start": {"type": "string", "default": "00:00"}, "hours": {"type": "integer"}}},
                "either": {"type": "object", "oneOf": [{"required": ["a"]}, {"required": ["b"]}], "properties": {"a": {"type": "string"}, "b": {"type": "string"}}},
                "anything": {"type": "object", "x-kubernetes-preserve-unknown-fields": true, "properties": {"known": {"type": "boolean"}}},
                "items": {"type": "array", "items": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}}
              }
            },
            "status": {"type": "object", "properties": {"phase": {"type": "string", "enum": ["Ready", "Failed"]}}}
          }
        }
        """;

    private static CustomResourceSchema Schema()
    {
        var errors = new List<FieldError>();
        var schema = CustomResourceSchema.Parse((JsonObject)JsonNode.Parse(Widget)!, "openAPIV3Schema", errors);
        Assert.Empty(errors);
        return schema!;
    }

    private static JsonObject Object(string spec) =>
        (JsonObject)JsonNode.Parse($$$"""{"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "labels": {"x": "y"} }, "spec": {{{spec}}} }""")!;

    [Fact]
    public void A_valid_object_has_no_errors()
    {
        var obj = Object("""{"size": 3, "ratio": 0.5, "mode": "fast", "name": "abc", "note": null, "port": "http", "tags": ["a", "c"], "limits": {"cpu": 4}, "either": {"b": "x"}, "items": [{"id": "1"}]}""");

        Assert.Empty(Schema().Validate(obj));
    }

    [Theory]
    [InlineData("""{"size": 11}""", "spec.size", "FieldValueInvalid", "Invalid value: 11: spec.size in body should be less than or equal to 10")]
    [InlineData("""{"size": 0}""", "spec.size", "FieldValueInvalid", "should be greater than or equal to 1")]
    [InlineData("""{"size": "3"}""", "spec.size", "FieldValueTypeInvalid", "Invalid value: \"string\": spec.size in body must be of type integer: \"string\"")]
    [InlineData("""{"size": 2.5}""", "spec.size", "FieldValueTypeInvalid", "must be of type integer: \"number\"")]
    [InlineData("""{"size": null}""", "spec.size", "FieldValueTypeInvalid", "must be of type integer: \"null\"")]
    [InlineData("""{}""", "spec.size", "FieldValueRequired", "Required value")]
    [InlineData("""{"size": 1, "ratio": 0}""", "spec.ratio", "FieldValueInvalid", "should be greater than 0")]
    [InlineData("""{"size": 1, "mode": "medium"}""", "spec.mode", "FieldValueNotSupported", "Unsupported value: \"medium\": supported values: \"fast\", \"slow\"")]
    [InlineData("""{"size": 1, "name": "a"}""", "spec.name", "FieldValueInvalid", "should be at least 2 chars long")]
    [InlineData("""{"size": 1, "name": "abcdef"}""", "spec.name", "FieldValueTooLong", "Too long: may not be longer than 5")]
    [InlineData("""{"size": 1, "name": "AB"}""", "spec.name", "FieldValueInvalid", "spec.name in body should match '^[a-z]+$'")]
    [InlineData("""{"size": 1, "port": true}""", "spec.port", "FieldValueTypeInvalid", "must be of type integer or string")]
    [InlineData("""{"size": 1, "tags": []}""", "spec.tags", "FieldValueInvalid", "should have at least 1 items")]
    [InlineData("""{"size": 1, "tags": ["a", "b", "c"]}""", "spec.tags", "FieldValueTooMany", "must have at most 2 items")]
    [InlineData("""{"size": 1, "tags": ["d"]}""", "spec.tags[0]", "FieldValueNotSupported", "Unsupported value: \"d\"")]
    [InlineData("""{"size": 1, "limits": {"cpu": 101}}""", "spec.limits.cpu", "FieldValueInvalid", "less than or equal to 100")]
    [InlineData("""{"size": 1, "limits": {"a": 1, "b": 2, "c": 3}}""", "spec.limits", "FieldValueTooMany", "must have at most 2 items")]
    [InlineData("""{"size": 1, "either": {"a": "x", "b": "y"}}""", "spec.either", "FieldValueInvalid", "must validate one and only one schema (oneOf)")]
    [InlineData("""{"size": 1, "either": {}}""", "spec.either", "FieldValueInvalid", "must validate one and only one schema (oneOf)")]
    [InlineData("""{"size": 1, "items": [{"id": "1"}, {}]}""", "spec.items[1].id", "FieldValueRequired", "Required value")]
    [InlineData("""{"size": 1, "anything": {"known": "yes"}}""", "spec.anything.known", "FieldValueTypeInvalid", "must be of type boolean")]
    public void Each_broken_rule_is_a_cause_naming_the_field(string spec, string field, string reason, string message)
    {
        var errors = Schema().Validate(Object(spec));

        var error = Assert.Single(errors);
        Assert.Equal((field, reason), (error.Field, error.Reason));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lengths_count_characters_not_utf16_units()
    {
        // Three emoji are six UTF-16 units but three characters: within maxLength 5. One is two units but under minLength 2.
        var three = Schema().Validate(Object("""{"size": 1, "name": "🙂🙂🙂"}"""));
        var one = Schema().Validate(Object("""{"size": 1, "name": "🙂"}"""));

        Assert.DoesNotContain(three, e => e.Reason == "FieldValueTooLong");
        Assert.Contains(one, e => e.Message.Contains("should be at least 2 chars long", StringComparison.Ordinal));
    }

    [Fact]
    public void Unknown_fields_are_pruned_except_under_preserve_unknown_fields_and_in_metadata()
    {
        var obj = Object("""{"size": 1, "colour": "red", "window": {"start": "01:00", "end": "02:00"}, "items": [{"id": "1", "extra": 2}], "anything": {"known": true, "free": {"form": 1}}}""");
        obj["extraTop"] = 1;

        var pruned = Schema().Prune(obj);

        Assert.Equal(["spec.colour", "spec.window.end", "spec.items[0].extra", "extraTop"], pruned);
        Assert.Equal("""{"size":1,"window":{"start":"01:00"},"items":[{"id":"1"}],"anything":{"known":true,"free":{"form":1}}}""", obj["spec"]!.ToJsonString());
        Assert.Equal("y", obj["metadata"]!["labels"]!["x"]!.GetValue<string>());
        Assert.False(obj.ContainsKey("extraTop"));
    }

    [Fact]
    public void Defaults_fill_absent_and_null_fields_and_the_fields_of_a_defaulted_object_but_keep_given_values()
    {
        var absent = Object("""{"size": 1}""");
        var given = Object("""{"size": 1, "mode": "fast", "window": {"start": "06:00"}}""");
        var nulls = Object("""{"size": 1, "mode": null, "note": null}""");

        Schema().Default(absent);
        Schema().Default(given);
        Schema().Default(nulls);

        Assert.Equal("""{"size":1,"mode":"slow","window":{"start":"00:00"}}""", absent["spec"]!.ToJsonString());
        Assert.Equal("""{"size":1,"mode":"fast","window":{"start":"06:00"}}""", given["spec"]!.ToJsonString());
        Assert.Equal("""{"size":1,"mode":"slow","note":null,"window":{"start":"00:00"}}""", nulls["spec"]!.ToJsonString());
    }

    [Theory]
    [InlineData("""{"type": "object", "properties": {"spec": {"properties": {"a": {"type": "string"}}}}}""", "openAPIV3Schema.properties[spec].type", "Required value")]
    [InlineData("""{"type": "object", "properties": {"spec": {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": {"type": "string"}}}}""", "openAPIV3Schema.properties[spec].additionalProperties", "mutually exclusive")]
    [InlineData("""{"type": "object", "properties": {"spec": {"type": "object", "additionalProperties": false}}}""", "openAPIV3Schema.properties[spec].additionalProperties", "must not be false")]
    [InlineData("""{"type": "object", "properties": {"spec": {"type": "array"}}}""", "openAPIV3Schema.properties[spec].items", "Required value")]
    [InlineData("""{"type": "object", "properties": {"spec": {"type": "string", "x-kubernetes-int-or-string": true}}}""", "openAPIV3Schema.properties[spec].type", "must be empty")]
    [InlineData("""{"type": "object", "properties": {"spec": {"type": "map"}}}""", "openAPIV3Schema.properties[spec].type", "Unsupported value: \"map\"")]
    [InlineData("""{"type": "object", "properties": {"spec": {"type": "string", "pattern": "([a-z"}}}""", "openAPIV3Schema.properties[spec].pattern", "Invalid value")]
    [InlineData("""{"type": "object", "properties": {"spec": {"type": "integer", "maximum": 5, "default": 7}}}""", "openAPIV3Schema.properties[spec].default", "less than or equal to 5")]
    [InlineData("""{"type": "array", "items": {"type": "string"}}""", "openAPIV3Schema.type", "must be object at the root")]
    public void A_non_structural_or_inconsistent_schema_is_refused_naming_where(string schema, string field, string message)
    {
        var errors = new List<FieldError>();

        var parsed = CustomResourceSchema.Parse((JsonObject)JsonNode.Parse(schema)!, "openAPIV3Schema", errors);

        Assert.Null(parsed);
        Assert.Contains(errors, e => e.Field == field && e.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void Printer_column_paths_read_keys_with_escaped_dots()
    {
        var claim = JsonNode.Parse("""{"metadata": {"labels": {"node.kubernetes.io/instance-type": "m5.large", "karpenter.sh/nodepool": "general"}}}""");

        Assert.Equal("m5.large", Tables.JsonPath(claim, """.metadata.labels.node\.kubernetes\.io/instance-type""").Str());
        Assert.Equal("general", Tables.JsonPath(claim, """.metadata.labels.karpenter\.sh/nodepool""").Str());
        Assert.Null(Tables.JsonPath(claim, ".metadata.labels.node.kubernetes.io/instance-type"));
    }

    [Fact]
    public async Task The_server_refuses_a_crd_with_a_non_structural_schema_and_serves_nothing_of_it()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        var crd = WidgetDefinition();
        crd.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["spec"].Type = null;

        var status = await FailsWithAsync(HttpStatusCode.UnprocessableEntity, () => client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd));

        Assert.Equal("spec.versions[0].schema.openAPIV3Schema.properties[spec].type", Assert.Single(status.Details.Causes).Field);
        Assert.Contains("CustomResourceDefinition.apiextensions.k8s.io \"widgets.example.com\" is invalid", status.Message, StringComparison.Ordinal);
        await FailsWithAsync(HttpStatusCode.NotFound, () => client.CustomObjects.ListClusterCustomObjectAsync("example.com", "v1", "widgets"));
    }

    [Fact]
    public async Task Creates_updates_patches_and_status_writes_are_validated_and_a_refused_write_changes_nothing()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(WidgetDefinition());
        var created = (JsonElement)await client.CustomObjects.CreateClusterCustomObjectAsync(Widget1(size: 2), "example.com", "v1", "widgets");

        var create = await FailsWithAsync(HttpStatusCode.UnprocessableEntity, () => client.CustomObjects.CreateClusterCustomObjectAsync(Widget1(size: 20, name: "w2"), "example.com", "v1", "widgets"));
        var patch = await FailsWithAsync(HttpStatusCode.UnprocessableEntity, () => client.CustomObjects.PatchClusterCustomObjectAsync(
            new V1Patch("""{"spec":{"mode":"turbo"}}""", V1Patch.PatchType.MergePatch), "example.com", "v1", "widgets", "w1"));
        var status = await FailsWithAsync(HttpStatusCode.UnprocessableEntity, () => client.CustomObjects.PatchClusterCustomObjectStatusAsync(
            new V1Patch("""{"status":{"phase":"Dreaming"}}""", V1Patch.PatchType.MergePatch), "example.com", "v1", "widgets", "w1"));
        var replaced = Widget1(size: 0);
        ((Dictionary<string, object>)replaced["metadata"])["resourceVersion"] = created.GetProperty("metadata").GetProperty("resourceVersion").GetString()!;
        var update = await FailsWithAsync(HttpStatusCode.UnprocessableEntity, () => client.CustomObjects.ReplaceClusterCustomObjectAsync(replaced, "example.com", "v1", "widgets", "w1"));

        Assert.Equal("spec.size", Assert.Single(create.Details.Causes).Field);
        Assert.Equal("spec.mode", Assert.Single(patch.Details.Causes).Field);
        Assert.Equal("status.phase", Assert.Single(status.Details.Causes).Field);
        Assert.Equal("spec.size", Assert.Single(update.Details.Causes).Field);
        var stored = (JsonElement)await client.CustomObjects.GetClusterCustomObjectAsync("example.com", "v1", "widgets", "w1");
        Assert.Equal(created.GetProperty("metadata").GetProperty("resourceVersion").GetString(), stored.GetProperty("metadata").GetProperty("resourceVersion").GetString());
        Assert.Equal("slow", stored.GetProperty("spec").GetProperty("mode").GetString());
        var list = (JsonElement)await client.CustomObjects.ListClusterCustomObjectAsync("example.com", "v1", "widgets");
        Assert.Single(list.GetProperty("items").EnumerateArray());
    }

    [SkippableFact]
    public async Task Kubectl_strict_refuses_unknown_fields_warn_names_and_drops_them_and_false_drops_them_quietly()
    {
        Kubectl.SkipUnlessInstalled();
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        using var kubectl = new Kubectl(server);
        await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(WidgetDefinition());
        static string Manifest(string name) => $"apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: {name}\nspec:\n  size: 1\n  colour: red\n";

        var strict = await kubectl.RunWithInputAsync(Manifest("strict"), "apply", "-f", "-");
        var warn = await kubectl.RunWithInputAsync(Manifest("warn"), "apply", "--validate=warn", "-f", "-");
        var quiet = await kubectl.RunWithInputAsync(Manifest("quiet"), "apply", "--validate=false", "-f", "-");

        Assert.NotEqual(0, strict.ExitCode);
        Assert.Contains("strict decoding error: unknown field \"spec.colour\"", strict.Error, StringComparison.Ordinal);
        Assert.Equal(0, warn.ExitCode);
        Assert.Contains("Warning: unknown field \"spec.colour\"", warn.Error, StringComparison.Ordinal);
        Assert.Equal(0, quiet.ExitCode);
        Assert.DoesNotContain("Warning", quiet.Error, StringComparison.Ordinal);
        var names = await kubectl.SucceedsAsync("get", "widgets", "-o", "name");
        Assert.Equal("widget.example.com/quiet\nwidget.example.com/warn\n", names);
        var stored = (JsonElement)await client.CustomObjects.GetClusterCustomObjectAsync("example.com", "v1", "widgets", "warn");
        Assert.False(stored.GetProperty("spec").TryGetProperty("colour", out _));
    }

    private static Dictionary<string, object> Widget1(int size, string name = "w1") => new()
    {
        ["apiVersion"] = "example.com/v1",
        ["kind"] = "Widget",
        ["metadata"] = new Dictionary<string, object> { ["name"] = name },
        ["spec"] = new Dictionary<string, object> { ["size"] = size },
    };

    private static V1CustomResourceDefinition WidgetDefinition() => new()
    {
        Metadata = new V1ObjectMeta { Name = "widgets.example.com" },
        Spec = new V1CustomResourceDefinitionSpec
        {
            Group = "example.com",
            Scope = "Cluster",
            Names = new V1CustomResourceDefinitionNames { Kind = "Widget", ListKind = "WidgetList", Plural = "widgets", Singular = "widget" },
            Versions =
            [
                new V1CustomResourceDefinitionVersion
                {
                    Name = "v1",
                    Served = true,
                    Storage = true,
                    Subresources = new V1CustomResourceSubresources { Status = new object() },
                    Schema = new V1CustomResourceValidation { OpenAPIV3Schema = KubernetesJson.Deserialize<V1JSONSchemaProps>(Widget) },
                },
            ],
        },
    };
}
