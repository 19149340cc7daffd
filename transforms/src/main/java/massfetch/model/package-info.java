/** Records that flow between the steps of the job: requests in, one result per manifest entry out. */
package massfetch.model;
