using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Karpenter.Orleans.Kubernetes.ApiServer;

/// <summary>
/// A CRD version's openAPIV3Schema, applied to custom resources as kube-apiserver applies it:
/// fields the schema does not declare are pruned (kept under x-kubernetes-preserve-unknown-fields),
/// defaults are filled in, then every value is checked: type (x-kubernetes-int-or-string, nullable),
/// required, enum, minimum/maximum, minLength/maxLength, pattern, minItems/maxItems, items,
/// properties, additionalProperties, minProperties/maxProperties, allOf/anyOf/oneOf/not.
/// apiVersion, kind and metadata at the root belong to the server and are left alone.
/// CEL rules (x-kubernetes-validations) and formats are not evaluated.
/// </summary>
internal sealed class CustomResourceSchema
{
    private static readonly string[] Types = ["object", "array", "string", "integer", "number", "boolean"];
    private static readonly string[] ServerFields = ["apiVersion", "kind", "metadata"];

    private readonly JsonObject _root;
    private readonly Dictionary<string, Regex> _patterns;

    private CustomResourceSchema(JsonObject root, Dictionary<string, Regex> patterns)
    {
        _root = root;
        _patterns = patterns;
    }

    /// <summary>
    /// Reads <paramref name="schema"/> (found at <paramref name="path"/> in the CRD) and adds to
    /// <paramref name="errors"/> what makes it non-structural, as the real server refuses such a CRD;
    /// null when there are errors.
    /// </summary>
    public static CustomResourceSchema? Parse(JsonObject schema, string path, List<FieldError> errors)
    {
        var patterns = new Dictionary<string, Regex>(StringComparer.Ordinal);
        var before = errors.Count;
        if (schema["type"].Str() != "object")
        {
            errors.Add(new FieldError("FieldValueInvalid", path + ".type", $"Invalid value: \"{schema["type"].Str()}\": must be object at the root"));
        }

        Check(schema, path, errors, patterns, inValidation: false);
        if (errors.Count > before)
        {
            return null;
        }

        var parsed = new CustomResourceSchema(schema, patterns);

        // A default must itself be valid, as the server checks when the CRD is written.
        parsed.CheckDefaults(schema, path, errors);
        return errors.Count > before ? null : parsed;
    }

    /// <summary>Removes the fields the schema does not declare; returns their paths (spec.foo).</summary>
    public List<string> Prune(JsonObject obj)
    {
        var pruned = new List<string>();
        PruneObject(obj, _root, "", pruned, root: true);
        return pruned;
    }

    /// <summary>Fills in the schema's defaults where a field is absent (or null and not nullable).</summary>
    public void Default(JsonObject obj) => DefaultNode(obj, _root, root: true);

    /// <summary>Every way <paramref name="obj"/> breaks the schema, in document order.</summary>
    public List<FieldError> Validate(JsonObject obj)
    {
        var errors = new List<FieldError>();
        ValidateNode(obj, _root, "", errors, root: true);
        return errors;
    }

    private static void Check(JsonObject schema, string path, List<FieldError> errors, Dictionary<string, Regex> patterns, bool inValidation)
    {
        var type = schema["type"].Str();
        var intOrString = schema["x-kubernetes-int-or-string"].Bool() == true;
        var preserve = schema["x-kubernetes-preserve-unknown-fields"].Bool() == true;
        if (type is null && !inValidation && !intOrString && !preserve)
        {
            errors.Add(new FieldError("FieldValueRequired", path + ".type", "Required value: must not be empty for specified fields"));
        }

        if (type is not null && !Types.Contains(type))
        {
            errors.Add(new FieldError("FieldValueNotSupported", path + ".type", $"Unsupported value: \"{type}\": supported values: {string.Join(", ", Types.Select(t => $"\"{t}\""))}"));
        }

        if (intOrString && type is not null)
        {
            errors.Add(new FieldError("FieldValueForbidden", path + ".type", "Forbidden: must be empty when x-kubernetes-int-or-string is true"));
        }

        var properties = schema["properties"] as JsonObject;
        var additional = schema["additionalProperties"];
        if (properties is not null && additional is not null)
        {
            errors.Add(new FieldError("FieldValueForbidden", path + ".additionalProperties", "Forbidden: additionalProperties and properties are mutually exclusive"));
        }

        if (additional.Bool() == false)
        {
            errors.Add(new FieldError("FieldValueForbidden", path + ".additionalProperties", "Forbidden: must not be false (unknown fields are pruned instead)"));
        }

        if ((properties is not null || additional is JsonObject) && type is not (null or "object"))
        {
            errors.Add(new FieldError("FieldValueForbidden", path + ".properties", $"Forbidden: only object types may have properties, not {type}"));
        }

        if (type == "array" && !inValidation && schema["items"] is not JsonObject)
        {
            errors.Add(new FieldError("FieldValueRequired", path + ".items", "Required value: must be specified for arrays"));
        }

        if (schema["pattern"].Str() is { } pattern && !patterns.ContainsKey(pattern))
        {
            try
            {
                patterns[pattern] = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException e)
            {
                errors.Add(new FieldError("FieldValueInvalid", path + ".pattern", $"Invalid value: \"{pattern}\": {e.Message}"));
            }
        }

        foreach (var (name, child) in properties ?? [])
        {
            if (child is JsonObject childSchema)
            {
                Check(childSchema, $"{path}.properties[{name}]", errors, patterns, inValidation);
            }
        }

        if (additional is JsonObject additionalSchema)
        {
            Check(additionalSchema, path + ".additionalProperties", errors, patterns, inValidation);
        }

        if (schema["items"] is JsonObject items)
        {
            Check(items, path + ".items", errors, patterns, inValidation);
        }

        foreach (var combinator in new[] { "allOf", "anyOf", "oneOf" })
        {
            if (schema[combinator] is JsonArray branches)
            {
                for (var i = 0; i < branches.Count; i++)
                {
                    if (branches[i] is JsonObject branch)
                    {
                        Check(branch, $"{path}.{combinator}[{i}]", errors, patterns, inValidation: true);
                    }
                }
            }
        }

        if (schema["not"] is JsonObject not)
        {
            Check(not, path + ".not", errors, patterns, inValidation: true);
        }
    }

    private void CheckDefaults(JsonObject schema, string path, List<FieldError> errors)
    {
        if (schema["default"] is { } value)
        {
            var copy = value.DeepClone();
            if (copy is JsonObject obj)
            {
                PruneObject(obj, schema, "", [], root: false);
                DefaultNode(obj, schema, root: false);
            }

            var problems = new List<FieldError>();
            ValidateNode(copy, schema, "", problems, root: false);
            errors.AddRange(problems.Select(p => p with { Field = path + ".default" + (p.Field.Length > 0 ? "." + p.Field : "") }));
        }

        foreach (var (name, child) in schema["properties"] as JsonObject ?? [])
        {
            if (child is JsonObject childSchema)
            {
                CheckDefaults(childSchema, $"{path}.properties[{name}]", errors);
            }
        }

        if (schema["additionalProperties"] is JsonObject additional)
        {
            CheckDefaults(additional, path + ".additionalProperties", errors);
        }

        if (schema["items"] is JsonObject items)
        {
            CheckDefaults(items, path + ".items", errors);
        }
    }

    private static void PruneObject(JsonObject obj, JsonObject schema, string path, List<string> pruned, bool root)
    {
        var properties = schema["properties"] as JsonObject;
        var additional = schema["additionalProperties"];
        var preserve = schema["x-kubernetes-preserve-unknown-fields"].Bool() == true;
        foreach (var key in obj.Select(p => p.Key).ToList())
        {
            if (root && ServerFields.Contains(key))
            {
                continue;
            }

            var field = Join(path, key);
            var child = properties?[key] as JsonObject ?? additional as JsonObject;
            if (child is not null)
            {
                PruneNode(obj[key], child, field, pruned);
            }
            else if (!preserve && additional.Bool() != true)
            {
                obj.Remove(key);
                pruned.Add(field);
            }
        }
    }

    private static void PruneNode(JsonNode? node, JsonObject schema, string path, List<string> pruned)
    {
        switch (node)
        {
            case JsonObject obj:
                PruneObject(obj, schema, path, pruned, root: false);
                break;
            case JsonArray array when schema["items"] is JsonObject items:
                for (var i = 0; i < array.Count; i++)
                {
                    PruneNode(array[i], items, $"{path}[{i}]", pruned);
                }

                break;
        }
    }

    private static void DefaultNode(JsonNode? node, JsonObject schema, bool root)
    {
        switch (node)
        {
            case JsonObject obj:
                if (schema["properties"] is JsonObject properties)
                {
                    foreach (var (name, child) in properties)
                    {
                        if (child is not JsonObject childSchema || (root && ServerFields.Contains(name)))
                        {
                            continue;
                        }

                        var missing = !obj.ContainsKey(name) || (obj[name] is null && childSchema["nullable"].Bool() != true);
                        if (missing && childSchema["default"] is { } value)
                        {
                            obj[name] = value.DeepClone();
                        }

                        if (obj.ContainsKey(name))
                        {
                            DefaultNode(obj[name], childSchema, root: false);
                        }
                    }
                }
                else if (schema["additionalProperties"] is JsonObject additional)
                {
                    foreach (var (_, value) in obj)
                    {
                        DefaultNode(value, additional, root: false);
                    }
                }

                break;
            case JsonArray array when schema["items"] is JsonObject items:
                foreach (var element in array)
                {
                    DefaultNode(element, items, root: false);
                }

                break;
        }
    }

    private void ValidateNode(JsonNode? node, JsonObject schema, string path, List<FieldError> errors, bool root)
    {
        var type = schema["type"].Str();
        var actual = TypeOf(node);
        if (actual == "null")
        {
            if (schema["nullable"].Bool() != true && (type is not null || schema["x-kubernetes-int-or-string"].Bool() == true))
            {
                errors.Add(TypeError(path, type ?? "integer or string", actual));
            }

            return;
        }

        if (schema["x-kubernetes-int-or-string"].Bool() == true && actual is not ("integer" or "string"))
        {
            errors.Add(TypeError(path, "integer or string", actual));
            return;
        }

        if (type is not null && !(type == actual || (type == "number" && actual == "integer")))
        {
            errors.Add(TypeError(path, type, actual));
            return;
        }

        if (schema["enum"] is JsonArray allowed && !allowed.Any(a => JsonNode.DeepEquals(a, node)))
        {
            errors.Add(new FieldError("FieldValueNotSupported", path,
                $"Unsupported value: {Show(node)}: supported values: {string.Join(", ", allowed.Select(Show))}"));
        }

        switch (node)
        {
            case JsonValue value when actual is "integer" or "number":
                ValidateNumber(value, schema, path, errors);
                break;
            case JsonValue value when actual == "string":
                ValidateString(value.GetValue<string>(), schema, path, errors);
                break;
            case JsonArray array:
                ValidateArray(array, schema, path, errors);
                break;
            case JsonObject obj:
                ValidateObject(obj, schema, path, errors, root);
                break;
        }

        ValidateCombinators(node, schema, path, errors);
    }

    private static void ValidateNumber(JsonValue value, JsonObject schema, string path, List<FieldError> errors)
    {
        var number = Number(value) ?? 0;
        if (Number(schema["minimum"]) is { } minimum)
        {
            var exclusive = schema["exclusiveMinimum"].Bool() == true;
            if (exclusive ? number <= minimum : number < minimum)
            {
                errors.Add(new FieldError("FieldValueInvalid", path,
                    $"Invalid value: {Show(value)}: {InBody(path)} should be greater than {(exclusive ? "" : "or equal to ")}{Format(minimum)}"));
            }
        }

        if (Number(schema["maximum"]) is { } maximum)
        {
            var exclusive = schema["exclusiveMaximum"].Bool() == true;
            if (exclusive ? number >= maximum : number > maximum)
            {
                errors.Add(new FieldError("FieldValueInvalid", path,
                    $"Invalid value: {Show(value)}: {InBody(path)} should be less than {(exclusive ? "" : "or equal to ")}{Format(maximum)}"));
            }
        }
    }

    private void ValidateString(string text, JsonObject schema, string path, List<FieldError> errors)
    {
        // Lengths count characters (runes), as the server's UTF-8 counting does.
        var length = text.EnumerateRunes().Count();
        if (schema["maxLength"].Int() is { } maxLength && length > maxLength)
        {
            errors.Add(new FieldError("FieldValueTooLong", path, $"Too long: may not be longer than {maxLength}"));
        }

        if (schema["minLength"].Int() is { } minLength && length < minLength)
        {
            errors.Add(new FieldError("FieldValueInvalid", path, $"Invalid value: \"{text}\": {InBody(path)} should be at least {minLength} chars long"));
        }

        if (schema["pattern"].Str() is { } pattern && _patterns.TryGetValue(pattern, out var regex))
        {
            bool matches;
            try
            {
                matches = regex.IsMatch(text);
            }
            catch (RegexMatchTimeoutException)
            {
                matches = false;
            }

            if (!matches)
            {
                errors.Add(new FieldError("FieldValueInvalid", path, $"Invalid value: \"{text}\": {InBody(path)} should match '{pattern}'"));
            }
        }
    }

    private void ValidateArray(JsonArray array, JsonObject schema, string path, List<FieldError> errors)
    {
        if (schema["maxItems"].Int() is { } maxItems && array.Count > maxItems)
        {
            errors.Add(new FieldError("FieldValueTooMany", path, $"Too many: {array.Count}: must have at most {maxItems} items"));
        }

        if (schema["minItems"].Int() is { } minItems && array.Count < minItems)
        {
            errors.Add(new FieldError("FieldValueInvalid", path, $"Invalid value: {array.Count}: {InBody(path)} should have at least {minItems} items"));
        }

        if (schema["items"] is JsonObject items)
        {
            for (var i = 0; i < array.Count; i++)
            {
                ValidateNode(array[i], items, $"{path}[{i}]", errors, root: false);
            }
        }
    }

    private void ValidateObject(JsonObject obj, JsonObject schema, string path, List<FieldError> errors, bool root)
    {
        var own = root ? obj.Where(p => !ServerFields.Contains(p.Key)).ToList() : [.. obj];
        if (schema["required"] is JsonArray required)
        {
            foreach (var name in required.Select(r => r.Str()).OfType<string>())
            {
                if (!(root && ServerFields.Contains(name)) && !obj.ContainsKey(name))
                {
                    errors.Add(new FieldError("FieldValueRequired", Join(path, name), "Required value"));
                }
            }
        }

        if (schema["maxProperties"].Int() is { } maxProperties && own.Count > maxProperties)
        {
            errors.Add(new FieldError("FieldValueTooMany", path, $"Too many: {own.Count}: must have at most {maxProperties} items"));
        }

        if (schema["minProperties"].Int() is { } minProperties && own.Count < minProperties)
        {
            errors.Add(new FieldError("FieldValueInvalid", path, $"Invalid value: {own.Count}: {InBody(path)} should have at least {minProperties} properties"));
        }

        var properties = schema["properties"] as JsonObject;
        var additional = schema["additionalProperties"] as JsonObject;
        foreach (var (name, value) in own)
        {
            if (properties?[name] is JsonObject child)
            {
                ValidateNode(value, child, Join(path, name), errors, root: false);
            }
            else if (additional is not null)
            {
                ValidateNode(value, additional, Join(path, name), errors, root: false);
            }
        }
    }

    private void ValidateCombinators(JsonNode? node, JsonObject schema, string path, List<FieldError> errors)
    {
        if (schema["allOf"] is JsonArray all)
        {
            foreach (var branch in all.OfType<JsonObject>())
            {
                ValidateNode(node, branch, path, errors, root: false);
            }
        }

        if (schema["anyOf"] is JsonArray any)
        {
            var failures = any.OfType<JsonObject>().Select(b => Trial(node, b, path)).ToList();
            if (failures.Count > 0 && failures.All(f => f.Count > 0))
            {
                // The nearest miss explains most: a branch of the value's own type whose enums (often
                // a discriminator such as an operator) the value matches, with the fewest problems.
                errors.AddRange(failures
                    .OrderBy(f => f.Any(e => e.Reason == "FieldValueTypeInvalid") ? 1 : 0)
                    .ThenBy(f => f.Any(e => e.Reason == "FieldValueNotSupported") ? 1 : 0)
                    .ThenBy(f => f.Count)
                    .First());
                errors.Add(new FieldError("FieldValueInvalid", path, $"Invalid value: {Show(node)}: {InBody(path)} must validate at least one schema (anyOf)"));
            }
        }

        if (schema["oneOf"] is JsonArray one)
        {
            var passing = one.OfType<JsonObject>().Count(b => Trial(node, b, path).Count == 0);
            if (passing != 1)
            {
                errors.Add(new FieldError("FieldValueInvalid", path, $"Invalid value: {Show(node)}: {InBody(path)} must validate one and only one schema (oneOf)"));
            }
        }

        if (schema["not"] is JsonObject not && Trial(node, not, path).Count == 0)
        {
            errors.Add(new FieldError("FieldValueInvalid", path, $"Invalid value: {Show(node)}: {InBody(path)} must not validate the schema (not)"));
        }
    }

    private List<FieldError> Trial(JsonNode? node, JsonObject schema, string path)
    {
        var errors = new List<FieldError>();
        ValidateNode(node, schema, path, errors, root: false);
        return errors;
    }

    private static FieldError TypeError(string path, string expected, string actual) =>
        new("FieldValueTypeInvalid", path, $"Invalid value: \"{actual}\": {InBody(path)} must be of type {expected}: \"{actual}\"");

    private static string TypeOf(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "object",
        JsonArray => "array",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            JsonValueKind.Number => long.TryParse(v.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) ? "integer" : "number",
            _ => "null",
        },
        _ => "null",
    };

    private static double? Number(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number
        && double.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
            ? d
            : null;

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Show(JsonNode? node) => node is null ? "null" : node.ToJsonString();

    private static string InBody(string path) => path.Length == 0 ? "body" : $"{path} in body";

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";
}
