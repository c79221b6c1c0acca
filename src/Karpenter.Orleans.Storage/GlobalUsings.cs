global using Orleans.Hosting;
