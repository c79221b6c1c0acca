namespace Karpenter.Orleans.CloudProviders.Aws.NodeClasses;

/// <summary>
/// <see cref="EC2NodeClassParser"/> on the opaque <see cref="NodeClassDocument"/> the service stores: the parser
/// lives in a project without the AWS SDK (karpo simulate reads it), the document type in CloudProviders.
/// </summary>
public static class EC2NodeClassDocuments
{
    extension(EC2NodeClassParser)
    {
        /// <summary>Parses the document a cluster sent; errors name it as "EC2NodeClass &lt;name&gt;".</summary>
        public static EC2NodeClass Parse(NodeClassDocument document)
        {
            ArgumentNullException.ThrowIfNull(document);
            return EC2NodeClassParser.ParseJson(document.Name, document.Json);
        }
    }
}
